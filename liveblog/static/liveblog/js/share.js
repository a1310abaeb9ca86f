// Each post's share button: the Web Share API where the browser has it, else the permalink
// is copied and the page says so. The button is shown only where one of them exists.

export function canShare(nav) {
  return Boolean(nav.share || (nav.clipboard && nav.clipboard.writeText));
}

/** Share the post of `button` through `nav` (navigator); `onCopied` when only copied. */
export async function sharePost(button, nav, { onCopied }) {
  const article = button.closest("article");
  const link = article && article.querySelector("[data-permalink]");
  if (!link) return;
  const url = link.href;
  const headline = article.querySelector(".post__headline");
  const title = headline ? headline.textContent.trim() : document.title;
  if (nav.share) {
    try {
      await nav.share({ title, url });
    } catch {
      // The reader closed the share sheet: nothing to do.
    }
    return;
  }
  await nav.clipboard.writeText(url);
  onCopied();
}

/** Show the share buttons in `root` (and in posts added later) and handle their clicks. */
export function enhanceShareButtons(root, nav, { onCopied }) {
  if (!canShare(nav)) return;
  const show = (scope) => {
    for (const part of scope.querySelectorAll("[data-share-actions]")) part.hidden = false;
  };
  show(root);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) show(node);
      }
    }
  }).observe(root, { childList: true, subtree: true });
  root.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-share]");
    if (button) sharePost(button, nav, { onCopied });
  });
}
