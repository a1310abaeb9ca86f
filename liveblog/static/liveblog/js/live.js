// The reader page's script. Progressive enhancement: without it the page is complete, the
// order links and "show older updates" work, and a reload shows what is new.
//
// This module wires the others together. On every reader page: the remembered order
// (order.js), share buttons (share.js), and a permalink's post brought into view. On the page
// that holds the end where new posts arrive, live updates: connection.js keeps a WebSocket
// open, seq.js decides what each frame means for the seq the page has reached, feed.js and
// status.js show the changes, announcer.js tells screen readers, and labels.js reads the
// words they show from the page.

import { Announcer } from "./announcer.js";
import { LiveConnection } from "./connection.js";
import { Feed, focusPost, orderNamed } from "./feed.js";
import { readLabels } from "./labels.js";
import { preferredUrl, rememberedOrder, watchOrderLinks } from "./order.js";
import { APPLY, RELOAD, RESYNC, nextStep } from "./seq.js";
import { enhanceShareButtons } from "./share.js";
import { StatusBar } from "./status.js";

const root = document.querySelector("[data-live-root]");
if (root) enhance(root);

function enhance(root) {
  const storage = localStorageOrNull();
  // Only a page that offers the choice of order follows the remembered one (a partner's
  // embed has no order links and stays as its partner framed it).
  const offersOrder = Boolean(root.querySelector("[data-order-choice]"));
  const preferred =
    offersOrder && preferredUrl(new URL(location.href), rememberedOrder(storage));
  if (preferred) {
    location.replace(preferred);
    return;
  }
  watchOrderLinks(root, storage);
  const page = document.documentElement;
  const labels = readLabels(root.querySelector("[data-live-labels]"), page.lang);
  const announcer = new Announcer(root.querySelector("[data-live-announcer]"), labels);
  const onCopied = () => announcer.say(labels.text("share.copied"));
  enhanceShareButtons(root, navigator, { onCopied });

  // A permalink: the page starts at its post, below the page's heading; go to it, unless the
  // address names another anchor.
  const focusId = root.dataset.focusPost;
  const focused = focusId && document.getElementById(`post-${focusId}`);
  if (focused && !location.hash) focusPost(focused);

  if (root.dataset.wsPath && "WebSocket" in window) follow(root, labels, announcer);
}

function localStorageOrNull() {
  try {
    return window.localStorage; // reading it throws where storage is blocked
  } catch {
    return null; // order.js then keeps nothing and remembers nothing
  }
}

function follow(root, labels, announcer) {
  const statusBar = new StatusBar(root, labels);
  const feed = new Feed(root, {
    labels,
    order: orderNamed(root.dataset.order),
    onArrival: (article) => announcer.postArrived(article),
  });
  let lastSeq = Number(root.dataset.lastSeq) || 0;

  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const connection = new LiveConnection({
    url: () => `${scheme}//${location.host}${root.dataset.wsPath}?after=${lastSeq}`,
    heartbeatMs: (Number(root.dataset.heartbeat) || 25) * 1000,
    onState: (state) => {
      statusBar.showConnection(state);
      // The one state worth interrupting for: updates have stopped.
      if (state === "offline") announcer.say(labels.text("connection.offline"));
    },
    onFrame: receive,
  });

  function receive(frame) {
    const step = nextStep(lastSeq, frame);
    if (step.action === RELOAD) {
      location.reload();
      return;
    }
    if (step.action === RESYNC) {
      connection.resync();
      return;
    }
    if (step.lastSeq !== lastSeq) {
      lastSeq = step.lastSeq;
      root.dataset.lastSeq = String(lastSeq);
    }
    if (step.action !== APPLY) return;
    if (frame.kind === "blog.status") statusBar.showBlogStatus(frame.data.status);
    else feed.apply(frame);
  }

  followJumpToLatest(root, feed);

  window.addEventListener("offline", () => connection.pause());
  window.addEventListener("online", () => connection.resync());
  document.addEventListener("visibilitychange", () => {
    // Phones suspend background tabs; check in as soon as the reader is back.
    if (document.visibilityState === "visible" && connection.idle) connection.resync();
  });

  connection.connect();
}

// "Jump to latest": shown while the reader is far from the end where posts arrive.
function followJumpToLatest(root, feed) {
  const jump = root.querySelector("[data-jump-latest]");
  if (!jump) return;
  let pending = false;
  const update = () => {
    pending = false;
    const far = feed.farFromArrivals();
    // Never hide it under the keyboard's focus.
    if (!far && jump.contains(document.activeElement)) return;
    jump.hidden = !far;
  };
  window.addEventListener(
    "scroll",
    () => {
      if (!pending) {
        pending = true;
        requestAnimationFrame(update);
      }
    },
    { passive: true },
  );
  jump.addEventListener("click", (event) => {
    event.preventDefault();
    feed.jumpToLatest();
    jump.hidden = true;
  });
  update();
}
