// liveblog/static/liveblog/js/connection.js against a fake WebSocket and Node's mock timers:
// the backoff, the handshake timeout, the two-heartbeat watchdog and the close codes.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import {
  HANDSHAKE_MS,
  LiveConnection,
  MAX_RETRY_MS,
  retryDelay,
  silenceLimit,
} from "../../liveblog/static/liveblog/js/connection.js";

class FakeSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.closed = false;
  }

  close() {
    this.closed = true;
  }

  open() {
    this.dispatchEvent(new Event("open"));
  }

  receive(frame) {
    this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }

  closedByServer(code) {
    this.dispatchEvent(Object.assign(new Event("close"), { code }));
  }
}

const HEARTBEAT_MS = 2000;

let sockets;
let states;
let frames;
let offline;
let seq;

function connection() {
  return new LiveConnection({
    url: () => `ws://test/ws/live/blog/?after=${seq}`,
    heartbeatMs: HEARTBEAT_MS,
    onFrame: (frame) => frames.push(frame),
    onState: (state) => states.push(state),
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    isOffline: () => offline,
    random: () => 0, // the shortest wait of each backoff step
  });
}

beforeEach((t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  sockets = [];
  states = [];
  frames = [];
  offline = false;
  seq = 0;
});

test("the retry delay doubles from half a second to a ceiling of 30 s, jittered", () => {
  assert.equal(retryDelay(0, () => 0), 500);
  assert.equal(retryDelay(0, () => 0.999), 999.5);
  assert.equal(retryDelay(3, () => 0), 4000);
  assert.equal(retryDelay(3, () => 0.5), 6000);
  assert.equal(retryDelay(10, () => 0), MAX_RETRY_MS / 2);
  assert.equal(retryDelay(10, () => 0.999), MAX_RETRY_MS / 2 + 0.999 * (MAX_RETRY_MS / 2));
});

test("silence longer than two heartbeats counts as a dead connection", () => {
  assert.equal(silenceLimit(25000), 51000);
});

test("an opened connection is live and passes on each frame", () => {
  const live = connection();
  live.connect();
  assert.deepEqual(states, ["connecting"]);
  sockets[0].open();
  sockets[0].receive({ seq: 1, kind: "noop" });
  assert.deepEqual(states, ["connecting", "live"]);
  assert.deepEqual(frames, [{ seq: 1, kind: "noop" }]);
  assert.equal(live.idle, false);
});

test("a handshake that never completes is given up and retried with the page's seq", (t) => {
  const live = connection();
  live.connect();
  seq = 3; // the page moved on meanwhile (say, from a catch-up on an older socket)
  t.mock.timers.tick(HANDSHAKE_MS - 1);
  assert.equal(sockets[0].closed, false);
  t.mock.timers.tick(1);
  assert.equal(sockets[0].closed, true);
  assert.equal(live.idle, true);
  assert.deepEqual(states, ["connecting", "reconnecting"]);

  t.mock.timers.tick(retryDelay(0, () => 0));
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, "ws://test/ws/live/blog/?after=3");
  assert.deepEqual(states, ["connecting", "reconnecting", "reconnecting"]);
});

test("a connection silent for two heartbeats is replaced", (t) => {
  const live = connection();
  live.connect();
  sockets[0].open();
  t.mock.timers.tick(2 * HEARTBEAT_MS + 999); // two beats, and a second for the network
  assert.equal(sockets[0].closed, false);
  t.mock.timers.tick(1);
  assert.equal(sockets[0].closed, true);
  t.mock.timers.tick(retryDelay(0, () => 0));
  assert.equal(sockets.length, 2);
  assert.equal(live.idle, false);
});

test("every frame heard restarts the watchdog", (t) => {
  connection().connect();
  sockets[0].open();
  t.mock.timers.tick(silenceLimit(HEARTBEAT_MS) - 1);
  sockets[0].receive({ kind: "heartbeat", seq: 0 });
  t.mock.timers.tick(silenceLimit(HEARTBEAT_MS) - 1);
  assert.equal(sockets[0].closed, false);
  t.mock.timers.tick(1);
  assert.equal(sockets[0].closed, true);
});

test("failed attempts wait longer each time, and an open connection starts again", (t) => {
  const live = connection();
  live.connect();
  sockets[0].closedByServer(1006);
  t.mock.timers.tick(retryDelay(0, () => 0));
  sockets[1].closedByServer(1006);
  t.mock.timers.tick(retryDelay(1, () => 0) - 1);
  assert.equal(sockets.length, 2);
  t.mock.timers.tick(1);
  assert.equal(sockets.length, 3);

  sockets[2].open();
  sockets[2].closedByServer(1006);
  t.mock.timers.tick(retryDelay(0, () => 0));
  assert.equal(sockets.length, 4);
});

test("a blog the server does not know closes with 4404: offline, no retry", (t) => {
  const live = connection();
  live.connect();
  sockets[0].closedByServer(4404);
  assert.deepEqual(states, ["connecting", "offline"]);
  t.mock.timers.tick(10 * MAX_RETRY_MS);
  assert.equal(sockets.length, 1);
  assert.equal(live.idle, true);
});

test("too many connections (4429) waits as long as after five failures", (t) => {
  connection().connect();
  sockets[0].open();
  sockets[0].closedByServer(4429);
  t.mock.timers.tick(retryDelay(5, () => 0) - 1);
  assert.equal(sockets.length, 1);
  t.mock.timers.tick(1);
  assert.equal(sockets.length, 2);
});

test("a reader too slow for the hub (4408) reconnects after the first backoff step", (t) => {
  connection().connect();
  sockets[0].open();
  sockets[0].closedByServer(4408);
  assert.deepEqual(states, ["connecting", "live", "reconnecting"]);
  t.mock.timers.tick(retryDelay(0, () => 0));
  assert.equal(sockets.length, 2);
});

test("a retry while the device is offline says so", () => {
  connection().connect();
  offline = true;
  sockets[0].closedByServer(1006);
  assert.deepEqual(states, ["connecting", "offline"]);
});

test("resync replaces the socket at once, and the old one's close is not a failure", (t) => {
  const live = connection();
  live.connect();
  sockets[0].open();
  seq = 5;
  live.resync();
  assert.equal(sockets[0].closed, true);
  assert.equal(sockets.length, 2);
  assert.equal(sockets[1].url, "ws://test/ws/live/blog/?after=5");

  sockets[0].closedByServer(1000);
  sockets[0].receive({ seq: 9, kind: "noop" });
  t.mock.timers.tick(MAX_RETRY_MS);
  assert.equal(sockets.length, 2);
  assert.deepEqual(frames, []);
});

test("pause closes the socket and stops retrying until resync", (t) => {
  const live = connection();
  live.connect();
  sockets[0].closedByServer(1006); // a retry is waiting
  live.pause();
  assert.equal(states.at(-1), "offline");
  t.mock.timers.tick(10 * MAX_RETRY_MS);
  assert.equal(sockets.length, 1);

  live.resync();
  assert.equal(sockets.length, 2);
  assert.equal(states.at(-1), "connecting");
});

test("connect does nothing while a socket is opening", () => {
  const live = connection();
  live.connect();
  live.connect();
  assert.equal(sockets.length, 1);
});
