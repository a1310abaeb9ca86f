// Click-to-load social embeds (see liveblog/templates/liveblog/_post_media.html).
//
// The page names the provider and carries the frame address in data-embed-src; nothing is
// fetched from the provider until the reader accepts. "Remember my choice" is kept in
// localStorage per provider (per server for Mastodon) and then loads every embed of that
// provider, including those that arrive later in live post fragments: a MutationObserver
// picks up whatever the live script inserts, so it needs no hook from it.

const STORE_KEY = "liveblog.embed-consent";
// The frame is cross-origin, so allow-same-origin only lets it keep its own origin.
const SANDBOX =
  "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation";

// Embeds the reader accepted on this page view: an edited post arrives as a new fragment,
// and an embed they already opened should not ask again.
const acceptedHere = new Set();

function rememberedKeys() {
  try {
    const value = JSON.parse(window.localStorage.getItem(STORE_KEY) || "[]");
    return new Set(Array.isArray(value) ? value : []);
  } catch {
    return new Set();
  }
}

function remember(key) {
  const keys = rememberedKeys();
  keys.add(key);
  try {
    window.localStorage.setItem(STORE_KEY, JSON.stringify([...keys]));
  } catch {
    // Storage full or blocked: the embed still loads, the choice is just not kept.
  }
}

function frameSource(embed) {
  try {
    const url = new URL(embed.dataset.embedSrc);
    return url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Load one embed's frame in place of its consent notice. */
export function loadEmbed(embed, { focus = false, lazy = false } = {}) {
  if (embed.dataset.embedState !== "waiting") return;
  const src = frameSource(embed);
  if (!src) return;
  const frame = document.createElement("iframe");
  frame.className = "embed__frame";
  frame.title = embed.getAttribute("aria-label"); // the page's name for it: "X content"
  frame.setAttribute("sandbox", SANDBOX);
  frame.setAttribute("allow", "encrypted-media; picture-in-picture; fullscreen");
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  if (lazy) frame.loading = "lazy";
  frame.src = src;
  const notice = embed.querySelector("[data-consent]");
  if (notice) notice.replaceWith(frame);
  else embed.prepend(frame);
  embed.dataset.embedState = "loaded";
  if (focus) frame.focus();
}

function prepare(embed) {
  if (embed.dataset.embedState !== "waiting") return;
  if (acceptedHere.has(embed.id) || rememberedKeys().has(embed.dataset.consentKey)) {
    loadEmbed(embed, { lazy: true });
    return;
  }
  // The buttons only work with this script, so they are shown only by it.
  for (const part of embed.querySelectorAll("[data-consent-js]")) part.hidden = false;
}

/** Show the consent buttons (or load remembered providers) for embeds in `root`. */
export function enhanceEmbeds(root = document) {
  if (root.matches && root.matches("[data-embed]")) prepare(root);
  if (root.querySelectorAll) for (const embed of root.querySelectorAll("[data-embed]")) prepare(embed);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-consent-accept]");
  if (!button) return;
  const embed = button.closest("[data-embed]");
  if (!embed) return;
  const checkbox = embed.querySelector("[data-consent-remember]");
  if (checkbox && checkbox.checked) {
    const key = embed.dataset.consentKey;
    remember(key);
    for (const other of document.querySelectorAll("[data-embed]")) {
      if (other !== embed && other.dataset.consentKey === key) loadEmbed(other, { lazy: true });
    }
  }
  acceptedHere.add(embed.id);
  loadEmbed(embed, { focus: true });
});

new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType === Node.ELEMENT_NODE) enhanceEmbeds(node);
    }
  }
}).observe(document.body, { childList: true, subtree: true });

enhanceEmbeds();
