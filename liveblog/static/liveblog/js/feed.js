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

// How far (in screen heights) the reader may be from the end where new posts arrive before
// "Jump to latest" is offered.
export const FAR_SCREENS = 2;

// The order of the feed: which of two posts comes first, whether the reader is looking at
// the end where new posts arrive (then one can go in without moving what they read;
// otherwise it waits behind the "N new updates" button), and whether they are far from it
// (`rect`: the list's bounding rectangle, `height`: the viewport's).
export const NEWEST_FIRST = Object.freeze({
  name: "newest",
  precedes: isNewer,
  readerAtArrivals: (list) => list.getBoundingClientRect().top > -40,
  farFromArrivals: (rect, height) => rect.top < -FAR_SCREENS * height,
});

// New posts go at the end, below what the reader reads, so nothing moves: never queued.
export const OLDEST_FIRST = Object.freeze({
  name: "oldest",
  precedes: (a, b) => isNewer(b, a),
  readerAtArrivals: () => true,
  farFromArrivals: (rect, height) => rect.bottom - height > FAR_SCREENS * height,
});

/** The order called `name` (the page's data-order), newest first unless it says oldest. */
export function orderNamed(name) {
  return name === OLDEST_FIRST.name ? OLDEST_FIRST : NEWEST_FIRST;
}

export class Feed {
  #root;
  #list;
  #pinned;
  #button;
  #labels;
  #order;
  #onArrival;
  // The server has more posts past the last one shown ("Show older updates").
  #listContinues;
  // Post id -> fragment: new posts the reader has not revealed yet, in arrival order.
  #queued = new Map();

  /** `onArrival(article)`: a new post reached the page, shown or queued (not an edit). */
  constructor(root, { labels, order = NEWEST_FIRST, onArrival = () => {} }) {
    this.#root = root;
    this.#list = root.querySelector("[data-feed]");
    this.#pinned = root.querySelector("[data-pinned]");
    this.#button = root.querySelector("[data-new-updates]");
    this.#labels = labels;
    this.#order = order;
    this.#onArrival = onArrival;
    this.#listContinues = Boolean(root.querySelector("[data-feed-continues]"));
    this.#button.addEventListener("click", () => this.revealQueued());
  }

  /** Whether the reader is far from where new posts arrive ("Jump to latest"). */
  farFromArrivals() {
    return this.#order.farFromArrivals(this.#list.getBoundingClientRect(), window.innerHeight);
  }

  /** Move the reader to the latest post: the queued ones if any, else the newest shown. */
  jumpToLatest() {
    if (this.#queued.size) {
      this.revealQueued();
      return;
    }
    const posts = this.#list.querySelectorAll(":scope > article");
    const latest = this.#order === OLDEST_FIRST ? posts[posts.length - 1] : posts[0];
    if (latest) focusPost(latest);
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
    for (const html of this.#queued.values()) {
      const article = fragment(html);
      article.classList.add("post--arrived");
      this.#insert(article);
    }
    this.#queued = new Map();
    this.#showButton();
    this.#syncDayHeadings();
    // The first of them in reading order (the newest, newest first), where reading goes on.
    const revealed = [...this.#list.querySelectorAll(":scope > article")].find((article) =>
      ids.includes(Number(article.dataset.postId)),
    );
    if (revealed) focusPost(revealed);
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
    this.#onArrival(article);
    article.classList.add("post--arrived");
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
    // The reader may be on this post (its anchor, or focus after "N new updates"): the new
    // render keeps its id, and focus moves to it.
    const hadFocus = current.contains(document.activeElement);
    if (hadFocus) next.setAttribute("tabindex", "-1");
    if (this.#pinned.contains(current) === isPinned(next)) {
      current.replaceWith(next);
    } else {
      current.remove();
      if (isPinned(next)) this.#pinned.append(next);
      else this.#insert(next);
    }
    if (hadFocus && next.isConnected) next.focus({ preventScroll: true });
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

/** Bring `article` into view and give it focus, so a screen reader reads on from there. */
export function focusPost(article) {
  article.setAttribute("tabindex", "-1");
  article.scrollIntoView({ block: "start" });
  article.focus({ preventScroll: true });
}

function isPinned(article) {
  return article.classList.contains("post--pinned");
}
