// The blog admin's live reader counts (LiveBlogAdmin): every [data-reader-count] on the page,
// refreshed every few seconds from the staff-only JSON endpoint in one request. The words come
// from the server; a failed request leaves the last counts and tries again at the next tick.

const counts = [...document.querySelectorAll("[data-reader-count]")];

async function refresh(url, ids) {
  const query = new URLSearchParams(ids.map((id) => ["blog", id]));
  const response = await fetch(`${url}?${query}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) return;
  const { blogs } = await response.json();
  for (const element of counts) {
    const blog = blogs[element.dataset.blog];
    if (blog) element.textContent = blog.readers_text;
  }
  for (const element of document.querySelectorAll("[data-reader-peak]")) {
    const blog = blogs[element.dataset.blog];
    if (blog) element.textContent = blog.peak_text;
  }
}

if (counts.length) {
  const { url, every } = counts[0].dataset;
  const ids = [...new Set(counts.map((element) => element.dataset.blog))];
  const tick = () => refresh(url, ids).catch(() => {});
  setInterval(tick, Math.max(1, Number(every) || 5) * 1000);
}
