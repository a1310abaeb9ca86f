// The posts on the page: the feed, the pinned slot, the day headings and the "N new
// updates" button. Everything inserted is a server-rendered fragment (_post.html); nothing
// user-written is built here.

/** A post's place in time: [published ms, id] (the id breaks ties, as on the server). */
export function postKey(article) {
  return [Date.parse(article.dataset.published), Number(article.dataset.postId)];
}

/** True if key `a` is newer than key `b`. */
export function isNewer(a, b) {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
}

// The order of the feed: which of two posts comes first, and whether the reader is looking
// at the end where new posts arrive (then one can go in without moving what they read;
// otherwise it waits behind the "N new updates" button).
export const NEWEST_FIRST = Object.freeze({
  precedes: isNewer,
  readerAtArrivals: (list) => list.getBoundingClientRect().top > -40,
});

export class Feed {
  #root;
  #list;
  #pinned;
  #button;
  #labels;
  #order;
  // The server has more posts past the last one shown ("Show older updates").
  #listContinues;
  // Post id -> fragment: new posts the reader has not revealed yet, in arrival order.
  #queued = new Map();

  constructor(root, { labels, order = NEWEST_FIRST }) {
    this.#root = root;
    this.#list = root.querySelector("[data-feed]");
    this.#pinned = root.querySelector("[data-pinned]");
    this.#button = root.querySelector("[data-new-updates]");
    this.#labels = labels;
    this.#order = order;
    this.#listContinues = Boolean(root.querySelector(".feed__older"));
    this.#button.addEventListener("click", () => this.revealQueued());
  }

  /** Show one post frame (post.published, .updated, .deleted, .pinned, .unpinned). */
  apply(frame) {
    switch (frame.kind) {
      case "post.published":
        this.#publish(frame.post_id, frame.html);
        break;
      case "post.updated":
        this.#replace(frame.post_id, frame.html);
        break;
      case "post.deleted":
        this.#remove(frame.post_id);
        break;
      case "post.pinned":
      case "post.unpinned":
        // Placed by the render itself: catch-up may carry a later state than the kind says.
        this.#remove(frame.post_id);
        this.#place(fragment(frame.html));
        break;
    }
    this.#syncDayHeadings();
    this.#pinned.hidden = !this.#pinned.querySelector("article");
  }

  /** Put the queued posts in the feed and move the reader to them. */
  revealQueued() {
    const ids = [...this.#queued.keys()];
    for (const html of this.#queued.values()) this.#insert(fragment(html));
    this.#queued = new Map();
    this.#showButton();
    this.#syncDayHeadings();
    const first = this.#list.querySelector(":scope > article");
    this.#list.closest("section").scrollIntoView({ block: "start" });
    const revealed = ids.length ? this.#find(ids[0]) : first;
    if (revealed) {
      revealed.setAttribute("tabindex", "-1");
      revealed.focus({ preventScroll: true });
    }
  }

  #find(postId) {
    return this.#root.querySelector(`#post-${postId}`);
  }

  #publish(postId, html) {
    if (this.#find(postId)) {
      this.#replace(postId, html);
      return;
    }
    const article = fragment(html);
    if (isPinned(article)) {
      this.#place(article);
    } else if (this.#order.readerAtArrivals(this.#list) && this.#queued.size === 0) {
      this.#insert(article);
    } else {
      this.#queued.set(postId, html);
      this.#showButton();
    }
  }

  #replace(postId, html) {
    if (this.#queued.has(postId)) {
      this.#queued.set(postId, html);
      return;
    }
    const current = this.#find(postId);
    if (!current) return; // not on this page (an older page, or not yet revealed)
    const next = fragment(html);
    if (this.#pinned.contains(current) === isPinned(next)) {
      current.replaceWith(next);
    } else {
      current.remove();
      if (isPinned(next)) this.#pinned.append(next);
      else this.#insert(next);
    }
  }

  #remove(postId) {
    this.#queued.delete(postId);
    this.#find(postId)?.remove();
    this.#showButton();
  }

  #place(article) {
    if (isPinned(article)) {
      this.#pinned.replaceChildren(this.#pinned.querySelector("h2"), article);
      this.#pinned.hidden = false;
    } else {
      this.#insert(article);
    }
  }

  #insert(article) {
    const mine = postKey(article);
    for (const other of this.#list.querySelectorAll(":scope > article")) {
      if (this.#order.precedes(mine, postKey(other))) {
        other.before(article);
        return;
      }
    }
    // Past everything shown: it belongs here only if the server has nothing past it.
    if (!this.#listContinues) this.#list.append(article);
  }

  #showButton() {
    const count = this.#queued.size;
    this.#button.hidden = count === 0;
    if (count) this.#button.textContent = this.#labels.count("new-updates", count);
  }

  #syncDayHeadings() {
    // One heading before the first post of each local day; the server wrote the label.
    let day = null;
    for (const node of [...this.#list.children]) {
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
    const empty = this.#list.querySelector(".feed__empty");
    if (empty && this.#list.querySelector("article")) empty.remove();
  }
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

function isPinned(article) {
  return article.classList.contains("post--pinned");
}
