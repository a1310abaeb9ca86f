// The reader page's WebSocket: one at a time, replaced when it closes or goes silent.
//
// A connection that does not open within HANDSHAKE_MS (a backend that accepts and never
// answers), or that stays silent for two heartbeats, is given up without waiting for its
// close handshake, and a new one is opened after a backoff with jitter. The URL is asked
// for at each attempt, so it carries the seq the page has reached (?after=<seq>).

export const HANDSHAKE_MS = 4000;
export const MAX_RETRY_MS = 30000;
// Close codes the server uses (liveblog.live.consumers, liveblog.live.hub). Any other code, such as
// 4408 (too slow for the hub) or 1006 (the connection dropped), is retried with backoff.
export const CLOSE_UNKNOWN_BLOG = 4404;
export const CLOSE_TOO_MANY = 4429;
// Too many connections from this address: wait as long as after this many failed attempts.
export const TOO_MANY_ATTEMPT = 5;

/**
 * Milliseconds to wait before retry number `attempt` (0 for the first): exponential backoff
 * with jitter, between half the ceiling and the ceiling, so a crowd of readers dropped at
 * once does not reconnect in lockstep. `random` returns a number in [0, 1).
 */
export function retryDelay(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_RETRY_MS, 1000 * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Milliseconds of silence after which an open connection counts as dead: two heartbeats. */
export function silenceLimit(heartbeatMs) {
  return 2 * heartbeatMs + 1000;
}

export class LiveConnection {
  #url;
  #heartbeatMs;
  #onFrame;
  #onState;
  #createSocket;
  #isOffline;
  #random;
  #socket = null;
  #attempt = 0;
  #retryTimer = undefined;
  #watchdog = undefined;

  /**
   * `url()` gives the address to open; `onFrame(frame)` gets each parsed message;
   * `onState(state)` hears "connecting", "live", "reconnecting" and "offline".
   */
  constructor({
    url,
    heartbeatMs,
    onFrame,
    onState,
    createSocket = (href) => new WebSocket(href),
    isOffline = () => navigator.onLine === false,
    random = Math.random,
  }) {
    this.#url = url;
    this.#heartbeatMs = heartbeatMs;
    this.#onFrame = onFrame;
    this.#onState = onState;
    this.#createSocket = createSocket;
    this.#isOffline = isOffline;
    this.#random = random;
  }

  /** True while no socket is opening or open (waiting to retry, offline, or given up). */
  get idle() {
    return this.#socket === null;
  }

  /** Open a socket unless one is opening or open. */
  connect() {
    clearTimeout(this.#retryTimer);
    if (this.#socket) return;
    this.#onState(this.#attempt === 0 ? "connecting" : "reconnecting");
    const ws = this.#createSocket(this.#url());
    this.#socket = ws;
    this.#watch(ws, HANDSHAKE_MS);
    ws.addEventListener("open", () => {
      if (this.#socket !== ws) return;
      this.#attempt = 0;
      this.#onState("live");
      this.#watch(ws, silenceLimit(this.#heartbeatMs));
    });
    ws.addEventListener("message", (event) => {
      if (this.#socket !== ws) return;
      this.#watch(ws, silenceLimit(this.#heartbeatMs)); // anything heard proves it alive
      this.#onFrame(JSON.parse(event.data));
    });
    ws.addEventListener("close", (event) => {
      if (this.#socket !== ws) return;
      this.#drop();
      if (event.code === CLOSE_UNKNOWN_BLOG) {
        this.#onState("offline");
        return;
      }
      if (event.code === CLOSE_TOO_MANY) this.#attempt = Math.max(this.#attempt, TOO_MANY_ATTEMPT);
      this.#retry();
    });
  }

  /** Replace the socket at once: the new one asks for everything after the page's seq. */
  resync() {
    this.#abandon();
    this.#attempt = 0;
    this.connect();
  }

  /** The device went offline: close, stop retrying until `resync()`. */
  pause() {
    this.#abandon();
    clearTimeout(this.#retryTimer);
    this.#onState("offline");
  }

  #watch(ws, ms) {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (this.#socket !== ws) return;
      this.#abandon();
      this.#retry();
    }, ms);
  }

  // Forget the socket before closing it, so its close event is not taken for a new failure.
  #abandon() {
    const ws = this.#socket;
    if (!ws) return;
    this.#drop();
    ws.close();
  }

  #drop() {
    clearTimeout(this.#watchdog);
    this.#socket = null;
  }

  #retry() {
    this.#onState(this.#isOffline() ? "offline" : "reconnecting");
    const delay = retryDelay(this.#attempt, this.#random);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.connect(), delay);
  }
}
