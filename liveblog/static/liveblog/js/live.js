// Live updates for the reader page. Progressive enhancement: without this script the page
// is complete and a reload shows what is new.
//
// The server numbers every reader-visible change of a blog (seq). We keep the last seq
// applied, ignore duplicates, and on a gap or a reconnect ask for everything after it
// (?after=<seq>), so a reader never misses an update. Fragments are server-rendered HTML;
// nothing user-written is built here.
//
// A connection that does not open within HANDSHAKE_MS, or that stays silent for two
// heartbeats (the server sends one every data-heartbeat seconds), is given up and
// replaced. Catch-up may send {"seq": n, "kind": "noop"} for an event whose post has since
// gone: it only advances the seq.

const root = document.querySelector("[data-live-root]");
if (root && root.dataset.wsPath && "WebSocket" in window) {
  start(root);
}

function start(root) {
  const feed = root.querySelector("[data-feed]");
  const pinned = root.querySelector("[data-pinned]");
  const newButton = root.querySelector("[data-new-updates]");
  const status = root.querySelector("[data-status]");
  const connection = root.querySelector("[data-connection]");
  const hasOlderPages = Boolean(root.querySelector(".feed__older"));

  let lastSeq = Number(root.dataset.lastSeq) || 0;
  let socket = null;
  let attempt = 0;
  let retryTimer = null;
  let watchdog = null;
  const HANDSHAKE_MS = 4000;
  const heartbeatMs = (Number(root.dataset.heartbeat) || 25) * 1000;
  // Close codes the server uses (liveblog.consumers, liveblog.hub).
  const UNKNOWN_BLOG = 4404;
  const TOO_MANY = 4429;
  let queued = new Map(); // post id -> fragment, new posts the reader has not revealed yet

  const LABELS = { connecting: "Connecting…", live: "", reconnecting: "Reconnecting…", offline: "Offline: updates resume when you reconnect" };

  function setState(state) {
    root.dataset.liveState = state;
    connection.textContent = LABELS[state] ?? "";
  }

  function connect() {
    clearTimeout(retryTimer);
    if (socket) return;
    setState(attempt === 0 ? "connecting" : "reconnecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${root.dataset.wsPath}?after=${lastSeq}`);
    socket = ws;
    watch(ws, HANDSHAKE_MS); // a backend that accepts and never answers
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      attempt = 0;
      setState("live");
      watch(ws, 2 * heartbeatMs + 1000);
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      watch(ws, 2 * heartbeatMs + 1000); // anything heard proves the connection alive
      receive(JSON.parse(event.data));
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      drop();
      if (event.code === UNKNOWN_BLOG) {
        setState("offline");
        return;
      }
      // Too many connections from this address: wait long before trying again.
      if (event.code === TOO_MANY) attempt = Math.max(attempt, 5);
      retry();
    });
  }

  function watch(ws, ms) {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      if (socket !== ws) return;
      // Silent too long: give this socket up without waiting for its close handshake.
      drop();
      ws.close();
      retry();
    }, ms);
  }

  function drop() {
    clearTimeout(watchdog);
    socket = null;
  }

  function retry() {
    setState(navigator.onLine === false ? "offline" : "reconnecting");
    // Exponential backoff with full jitter, so a crowd does not reconnect in lockstep.
    const ceiling = Math.min(30000, 1000 * 2 ** attempt);
    attempt += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  function resync() {
    // Close and reconnect at once with ?after=lastSeq: the server sends what we missed.
    if (socket) {
      const ws = socket;
      drop();
      ws.close();
    }
    attempt = 0;
    connect();
  }

  function receive(message) {
    if (message.kind === "reload") {
      location.reload();
      return;
    }
    if (message.kind === "heartbeat") {
      if (message.seq > lastSeq) resync();
      return;
    }
    if (message.seq <= lastSeq) return; // already applied
    if (message.seq > lastSeq + 1) {
      resync(); // a gap: catch up in order rather than apply out of order
      return;
    }
    lastSeq = message.seq;
    root.dataset.lastSeq = String(lastSeq);
    apply(message);
  }

  function apply(message) {
    // A no-op, or a post event without content (compacted): only the seq moves on.
    if (message.kind === "noop") return;
    if (message.kind.startsWith("post.") && message.kind !== "post.deleted" && !message.html) return;
    switch (message.kind) {
      case "post.published":
        publish(message.post_id, message.html);
        break;
      case "post.updated":
        replace(message.post_id, message.html);
        break;
      case "post.deleted":
        remove(message.post_id);
        break;
      case "post.pinned":
      case "post.unpinned":
        // Placed by the render itself: catch-up may carry a later state than the kind says.
        remove(message.post_id);
        place(fragment(message.html));
        break;
      case "blog.status":
        setBlogStatus(message.data.status);
        break;
    }
    syncDayHeadings();
    pinned.hidden = !pinned.querySelector("article");
  }

  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function find(postId) {
    return root.querySelector(`#post-${postId}`);
  }

  function readerIsAtTop() {
    // The start of the feed is still on screen: inserting there moves nothing they read.
    return feed.getBoundingClientRect().top > -40;
  }

  function place(article) {
    if (article.classList.contains("post--pinned")) {
      pinned.replaceChildren(pinned.querySelector("h2"), article);
      pinned.hidden = false;
    } else {
      insertInFeed(article);
    }
  }

  function publish(postId, html) {
    if (find(postId)) {
      replace(postId, html);
      return;
    }
    const article = fragment(html);
    if (article.classList.contains("post--pinned")) {
      place(article);
    } else if (readerIsAtTop() && queued.size === 0) {
      insertInFeed(article);
    } else {
      queued.set(postId, html);
      showNewButton();
    }
  }

  function replace(postId, html) {
    if (queued.has(postId)) {
      queued.set(postId, html);
      return;
    }
    const current = find(postId);
    if (!current) return; // not on this page (an older page, or not yet revealed)
    const next = fragment(html);
    const inPinned = pinned.contains(current);
    const isPinned = next.classList.contains("post--pinned");
    if (inPinned === isPinned) {
      current.replaceWith(next);
    } else {
      current.remove();
      if (isPinned) pinned.append(next);
      else insertInFeed(next);
    }
  }

  function remove(postId) {
    queued.delete(postId);
    find(postId)?.remove();
    showNewButton();
  }

  function key(article) {
    return [Date.parse(article.dataset.published), Number(article.dataset.postId)];
  }

  function newer(a, b) {
    return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
  }

  function insertInFeed(article) {
    const mine = key(article);
    for (const other of feed.querySelectorAll(":scope > article")) {
      if (newer(mine, key(other))) {
        other.before(article);
        return;
      }
    }
    // Older than everything shown: it belongs here only if there are no older pages.
    if (!hasOlderPages) feed.append(article);
  }

  function showNewButton() {
    if (queued.size === 0) {
      newButton.hidden = true;
      return;
    }
    newButton.textContent = queued.size === 1 ? "1 new update" : `${queued.size} new updates`;
    newButton.hidden = false;
  }

  newButton.addEventListener("click", () => {
    const ids = [...queued.keys()];
    for (const html of queued.values()) insertInFeed(fragment(html));
    queued = new Map();
    showNewButton();
    syncDayHeadings();
    const first = feed.querySelector(":scope > article");
    feed.closest("section").scrollIntoView({ block: "start" });
    const revealed = ids.length ? find(ids[0]) : first;
    if (revealed) {
      revealed.setAttribute("tabindex", "-1");
      revealed.focus({ preventScroll: true });
    }
  });

  function syncDayHeadings() {
    // One heading before the first post of each local day; the server wrote the label.
    let day = null;
    for (const node of [...feed.children]) {
      if (node.matches(".day-heading")) {
        node.remove();
        continue;
      }
      if (!node.matches("article")) continue;
      if (node.dataset.day !== day) {
        day = node.dataset.day;
        const heading = document.createElement("h2");
        heading.className = "day-heading";
        heading.dataset.day = day;
        heading.textContent = node.dataset.dayLabel;
        node.before(heading);
      }
    }
    const empty = feed.querySelector(".feed__empty");
    if (empty && feed.querySelector("article")) empty.remove();
  }

  function setBlogStatus(value) {
    root.dataset.blogStatus = value;
    status.className = `live__status status status--${value}`;
    status.textContent = { live: "Live", paused: "Paused", ended: "Ended" }[value] ?? value;
  }

  window.addEventListener("offline", () => {
    if (socket) {
      const ws = socket;
      drop();
      ws.close();
    }
    clearTimeout(retryTimer);
    setState("offline");
  });
  window.addEventListener("online", resync);
  document.addEventListener("visibilitychange", () => {
    // Phones suspend background tabs; check in as soon as the reader is back.
    if (document.visibilityState === "visible" && !socket) resync();
  });

  connect();
}
