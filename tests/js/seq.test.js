// The seq rules of liveblog/static/liveblog/js/seq.js: what each frame means for a page
// that has applied everything up to `lastSeq`.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ADVANCE,
  APPLY,
  IGNORE,
  RELOAD,
  RESYNC,
  nextStep,
} from "../../liveblog/static/liveblog/js/seq.js";

const published = (seq) => ({ seq, kind: "post.published", post_id: 7, html: "<article>" });

test("the next seq in order is applied and becomes the last seq", () => {
  assert.deepEqual(nextStep(4, published(5)), { action: APPLY, lastSeq: 5 });
});

test("a frame already applied is ignored and leaves the seq", () => {
  assert.deepEqual(nextStep(5, published(5)), { action: IGNORE, lastSeq: 5 });
  assert.deepEqual(nextStep(5, published(3)), { action: IGNORE, lastSeq: 5 });
});

test("a frame past the next seq is a gap: resync without applying it", () => {
  assert.deepEqual(nextStep(4, published(6)), { action: RESYNC, lastSeq: 4 });
});

test("a heartbeat ahead of the page means a frame was missed: resync", () => {
  assert.deepEqual(nextStep(4, { kind: "heartbeat", seq: 5 }), { action: RESYNC, lastSeq: 4 });
});

test("a heartbeat at or behind the page changes nothing", () => {
  assert.deepEqual(nextStep(4, { kind: "heartbeat", seq: 4 }), { action: IGNORE, lastSeq: 4 });
  assert.deepEqual(nextStep(4, { kind: "heartbeat", seq: 2 }), { action: IGNORE, lastSeq: 4 });
});

test("a reload instruction is obeyed whatever the seq", () => {
  assert.deepEqual(nextStep(4, { kind: "reload" }), { action: RELOAD, lastSeq: 4 });
});

test("a noop frame in order only advances the seq", () => {
  assert.deepEqual(nextStep(4, { seq: 5, kind: "noop" }), { action: ADVANCE, lastSeq: 5 });
});

test("a noop frame past the next seq is still a gap", () => {
  assert.deepEqual(nextStep(4, { seq: 6, kind: "noop" }), { action: RESYNC, lastSeq: 4 });
});

test("a post event whose content was compacted away only advances the seq", () => {
  const frame = { seq: 5, kind: "post.updated", post_id: 7, html: "" };
  assert.deepEqual(nextStep(4, frame), { action: ADVANCE, lastSeq: 5 });
});

test("a deletion carries no content and is applied", () => {
  const frame = { seq: 5, kind: "post.deleted", post_id: 7 };
  assert.deepEqual(nextStep(4, frame), { action: APPLY, lastSeq: 5 });
});

test("a blog status change is applied", () => {
  const frame = { seq: 5, kind: "blog.status", data: { status: "paused" } };
  assert.deepEqual(nextStep(4, frame), { action: APPLY, lastSeq: 5 });
});

test("a frame without a seq is ignored", () => {
  assert.deepEqual(nextStep(4, { kind: "post.published", html: "<article>" }), {
    action: IGNORE,
    lastSeq: 4,
  });
});

test("frames applied one by one move the seq on, and a replayed one is dropped", () => {
  let lastSeq = 0;
  const actions = [];
  for (const frame of [published(1), { seq: 2, kind: "noop" }, published(2), published(3)]) {
    const step = nextStep(lastSeq, frame);
    actions.push(step.action);
    lastSeq = step.lastSeq;
  }
  assert.deepEqual(actions, [APPLY, ADVANCE, IGNORE, APPLY]);
  assert.equal(lastSeq, 3);
});
