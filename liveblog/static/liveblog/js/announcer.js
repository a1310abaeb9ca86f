// What screen readers hear of live updates: one polite live region on the page
// ([data-live-announcer]) that says how many posts arrived ("3 new updates") and any line a
// post carries for it (data-announce, e.g. "Result: Conservatives hold Milton Keynes South"),
// never the posts' own text. Edits, deletions and moves are not announced.
//
// Posts that arrive close together (a burst, or catch-up after a reconnect) make one
// announcement: the count waits BATCH_MS for more before it is spoken.

export const BATCH_MS = 1500;
// At most this many posts' own lines in one announcement; the count covers the rest.
export const MAX_LINES = 3;

/** The words for `count` new posts carrying `lines`: "3 new updates. Result: …". */
export function announcementText(labels, count, lines) {
  if (count <= 0) return "";
  const parts = [labels.count("new-updates", count), ...lines.slice(0, MAX_LINES)];
  return parts.filter(Boolean).join(". ");
}

export class Announcer {
  #region;
  #labels;
  #batchMs;
  #count = 0;
  #lines = [];
  #timer = null;

  constructor(region, labels, { batchMs = BATCH_MS } = {}) {
    this.#region = region;
    this.#labels = labels;
    this.#batchMs = batchMs;
  }

  /** A new post reached the page (shown, or waiting behind the "N new updates" button). */
  postArrived(article) {
    this.#count += 1;
    const line = (article.dataset.announce || "").trim();
    if (line) this.#lines.push(line);
    if (this.#timer === null) this.#timer = setTimeout(() => this.flush(), this.#batchMs);
  }

  /** Say what has gathered so far now. */
  flush() {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const text = announcementText(this.#labels, this.#count, this.#lines);
    this.#count = 0;
    this.#lines = [];
    if (text) this.say(text);
  }

  /** Put `text` in the live region. The same words again are announced again. */
  say(text) {
    if (!this.#region) return;
    this.#region.textContent = this.#region.textContent === text ? `${text}\u00a0` : text;
  }
}
