// The bar above the feed: the blog's status (live, paused, ended) and the connection's.

export class StatusBar {
  #root;
  #status;
  #connection;
  #labels;

  constructor(root, labels) {
    this.#root = root;
    this.#status = root.querySelector("[data-status]");
    this.#connection = root.querySelector("[data-connection]");
    this.#labels = labels;
  }

  /** "connecting", "live", "reconnecting" or "offline"; tests read data-live-state. */
  showConnection(state) {
    this.#root.dataset.liveState = state;
    this.#connection.textContent = this.#labels.text(`connection.${state}`);
  }

  /** A value of LiveBlog.Status. */
  showBlogStatus(value) {
    this.#root.dataset.blogStatus = value;
    this.#status.className = `live__status status status--${value}`;
    this.#status.textContent = this.#labels.text(`status.${value}`) || value;
  }
}
