// The partner embed (/embed/live/<slug>/, /embed/results/...): tells the page that frames it
// how tall it is, so the partner's snippet (embed-host.js) fits the frame to it.
//
// Heights go only to a parent whose origin the page lists as a partner (data-embed-parents,
// from the blog's settings; also our own). The frame is not told who its parent is: Chromium
// names it in location.ancestorOrigins, other browsers in document.referrer (the partner's
// origin, unless its page sends no referrer: then nothing is posted and the frame keeps the
// height the snippet gave it).

export const MESSAGE_TYPE = "liveblog:height";

function originOf(url) {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/** The parent's origin if it is one of `allowed`, else null. */
export function parentOrigin({ ancestorOrigins, referrer }, allowed) {
  // Where the browser names the parent, that is the answer, whatever the referrer says.
  const origin =
    ancestorOrigins && ancestorOrigins.length > 0
      ? originOf(ancestorOrigins[0])
      : referrer
        ? originOf(referrer)
        : null;
  return origin !== null && allowed.includes(origin) ? origin : null;
}

/** The allowed parents listed on the page: space-separated https origins. */
export function listedParents(value) {
  return (value || "").split(/\s+/).filter((origin) => originOf(origin) === origin);
}

/** Post the body's height to the parent each time it changes. Returns the parent's origin,
 * or null when there is no allowed parent to tell. */
export function reportHeight(win = window) {
  const doc = win.document;
  if (win.parent === win) return null;
  const allowed = [...listedParents(doc.body.dataset.embedParents), win.location.origin];
  const origin = parentOrigin(
    { ancestorOrigins: win.location.ancestorOrigins, referrer: doc.referrer },
    allowed,
  );
  if (origin === null) return null;
  let last = -1;
  const post = () => {
    const height = Math.ceil(doc.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    win.parent.postMessage({ type: MESSAGE_TYPE, height }, origin);
  };
  new win.ResizeObserver(post).observe(doc.body);
  post();
  return origin;
}

/** Whether following `link` leaves this page (rather than moving within it). */
export function leavesPage(link, here) {
  try {
    const target = new URL(link, here);
    const current = new URL(here);
    target.hash = "";
    current.hash = "";
    return target.href !== current.href;
  } catch {
    return false;
  }
}

if (typeof window !== "undefined" && window.document && window.document.body) {
  window.document.documentElement.dataset.embedParent = reportHeight(window) || "";
  // A link that leaves the embed opens in a new tab, not in the partner's frame; links
  // within the page (skip links) stay.
  window.document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (link && !link.target && leavesPage(link.href, window.location.href)) {
      link.target = "_blank";
      link.relList.add("noopener");
    }
  });
}
