// liveblog/static/liveblog/js/order.js: the remembered order, and which pages it redirects.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  STORE_KEY,
  preferredUrl,
  rememberOrder,
  rememberedOrder,
} from "../../liveblog/static/liveblog/js/order.js";

const url = (href) => new URL(href, "http://127.0.0.1:8000");

test("a reader who chose oldest first gets it on a page that names no order", () => {
  assert.equal(
    preferredUrl(url("/live/ge2017/"), "oldest"),
    "http://127.0.0.1:8000/live/ge2017/?order=oldest",
  );
});

test("a permalink keeps its anchor when the remembered order is asked for", () => {
  assert.equal(
    preferredUrl(url("/live/ge2017/posts/41/#post-41"), "oldest"),
    "http://127.0.0.1:8000/live/ge2017/posts/41/?order=oldest#post-41",
  );
});

test("a page that names an order or a cursor is shown as it is", () => {
  for (const href of [
    "/live/ge2017/?order=newest",
    "/live/ge2017/?order=oldest",
    "/live/ge2017/?before=1496969460000000-41",
    "/live/ge2017/?after=1496969460000000-41",
  ]) {
    assert.equal(preferredUrl(url(href), "oldest"), null, href);
  }
});

test("newest first, nothing remembered or junk stored: no redirect", () => {
  for (const remembered of ["newest", null, "junk"]) {
    assert.equal(preferredUrl(url("/live/ge2017/"), remembered), null, String(remembered));
  }
});

class MemoryStorage {
  items = new Map();
  getItem(key) {
    return this.items.has(key) ? this.items.get(key) : null;
  }
  setItem(key, value) {
    this.items.set(key, String(value));
  }
}

test("the choice is kept as newest or oldest, nothing else", () => {
  const storage = new MemoryStorage();
  rememberOrder(storage, "oldest");
  assert.equal(rememberedOrder(storage), "oldest");
  rememberOrder(storage, "<script>");
  assert.equal(storage.getItem(STORE_KEY), "newest");
});

test("blocked storage means the default order, not an error", () => {
  const blocked = {
    getItem() {
      throw new Error("SecurityError");
    },
    setItem() {
      throw new Error("QuotaExceededError");
    },
  };
  assert.equal(rememberedOrder(blocked), null);
  assert.doesNotThrow(() => rememberOrder(blocked, "oldest"));
});
