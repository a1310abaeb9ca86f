// Live updates for the reader page. Progressive enhancement: without this script the page
// is complete and a reload shows what is new.
//
// This module wires the others together: connection.js keeps a WebSocket open, seq.js
// decides what each frame means for the seq the page has reached, feed.js and status.js
// show the changes, and labels.js reads the words they show from the page.

import { LiveConnection } from "./connection.js";
import { Feed } from "./feed.js";
import { readLabels } from "./labels.js";
import { APPLY, RELOAD, RESYNC, nextStep } from "./seq.js";
import { StatusBar } from "./status.js";

const root = document.querySelector("[data-live-root]");
if (root && root.dataset.wsPath && "WebSocket" in window) {
  start(root);
}

function start(root) {
  const page = document.documentElement;
  const labels = readLabels(root.querySelector("[data-live-labels]"), page.lang);
  const statusBar = new StatusBar(root, labels);
  const feed = new Feed(root, { labels });
  let lastSeq = Number(root.dataset.lastSeq) || 0;

  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const connection = new LiveConnection({
    url: () => `${scheme}//${location.host}${root.dataset.wsPath}?after=${lastSeq}`,
    heartbeatMs: (Number(root.dataset.heartbeat) || 25) * 1000,
    onState: (state) => statusBar.showConnection(state),
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

  window.addEventListener("offline", () => connection.pause());
  window.addEventListener("online", () => connection.resync());
  document.addEventListener("visibilitychange", () => {
    // Phones suspend background tabs; check in as soon as the reader is back.
    if (document.visibilityState === "visible" && connection.idle) connection.resync();
  });

  connection.connect();
}
