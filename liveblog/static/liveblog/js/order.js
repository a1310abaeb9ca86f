// The reader's choice of order (newest or oldest first). The server renders either
// (?order=oldest); this remembers the choice made with the page's order links and, on a later
// visit to a page without one, asks the server for the remembered order.

export const STORE_KEY = "liveblog.order";
export const OLDEST = "oldest";
export const NEWEST = "newest";

/**
 * The address to load instead of `url` (a URL) for a reader who chose `remembered`, or null
 * to stay. Only a page that names no order or cursor is redirected: a link someone followed
 * to a particular order or page is shown as it is.
 */
export function preferredUrl(url, remembered) {
  if (remembered !== OLDEST) return null;
  const query = url.searchParams;
  if (query.has("order") || query.has("before") || query.has("after")) return null;
  const next = new URL(url.href);
  next.searchParams.set("order", OLDEST);
  return next.href;
}

export function rememberedOrder(storage) {
  try {
    return storage.getItem(STORE_KEY);
  } catch {
    return null; // storage blocked: the default order
  }
}

export function rememberOrder(storage, order) {
  try {
    storage.setItem(STORE_KEY, order === OLDEST ? OLDEST : NEWEST);
  } catch {
    // Storage full or blocked: the link still switches, the choice is just not kept.
  }
}

/** Remember the order links' choice when one is followed, in `root`. */
export function watchOrderLinks(root, storage) {
  root.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-order-choice]");
    if (link) rememberOrder(storage, link.dataset.orderChoice);
  });
}
