// The order of liveblog/static/liveblog/js/feed.js: newest first, the id breaking ties.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  FAR_SCREENS,
  NEWEST_FIRST,
  OLDEST_FIRST,
  isNewer,
  orderNamed,
} from "../../liveblog/static/liveblog/js/feed.js";

const at = (iso, id) => [Date.parse(iso), id];

test("a later post is newer", () => {
  assert.equal(isNewer(at("2017-06-09T01:00:00Z", 1), at("2017-06-09T00:00:00Z", 2)), true);
  assert.equal(isNewer(at("2017-06-09T00:00:00Z", 2), at("2017-06-09T01:00:00Z", 1)), false);
});

test("of two posts published at the same moment, the higher id is newer", () => {
  assert.equal(isNewer(at("2017-06-09T00:00:00Z", 5), at("2017-06-09T00:00:00Z", 4)), true);
  assert.equal(isNewer(at("2017-06-09T00:00:00Z", 4), at("2017-06-09T00:00:00Z", 5)), false);
});

test("a post is not newer than itself", () => {
  assert.equal(isNewer(at("2017-06-09T00:00:00Z", 4), at("2017-06-09T00:00:00Z", 4)), false);
});

test("the newest-first feed puts the newer of two posts first", () => {
  const older = at("2017-06-08T23:50:00+01:00", 9);
  const newer = at("2017-06-09T07:00:00+01:00", 3);
  assert.equal(NEWEST_FIRST.precedes(newer, older), true);
  assert.equal(NEWEST_FIRST.precedes(older, newer), false);
});

test("the oldest-first feed puts the older of two posts first", () => {
  const older = at("2017-06-08T23:50:00+01:00", 9);
  const newer = at("2017-06-09T07:00:00+01:00", 3);
  assert.equal(OLDEST_FIRST.precedes(older, newer), true);
  assert.equal(OLDEST_FIRST.precedes(newer, older), false);
});

test("oldest first, a new post goes in at once: it lands below what the reader reads", () => {
  assert.equal(OLDEST_FIRST.readerAtArrivals(), true);
});

test("the page's data-order names the order, newest first unless it says oldest", () => {
  assert.equal(orderNamed("oldest"), OLDEST_FIRST);
  assert.equal(orderNamed("newest"), NEWEST_FIRST);
  assert.equal(orderNamed("junk"), NEWEST_FIRST);
  assert.equal(orderNamed(undefined), NEWEST_FIRST);
});

test("newest first, the reader is far from the latest once the list's top is screens above", () => {
  const height = 800;
  const far = { top: -(FAR_SCREENS * height) - 1, bottom: 9000 };
  const near = { top: -(FAR_SCREENS * height) + 1, bottom: 9000 };
  assert.equal(NEWEST_FIRST.farFromArrivals(far, height), true);
  assert.equal(NEWEST_FIRST.farFromArrivals(near, height), false);
});

test("oldest first, the reader is far from the latest once the list's end is screens below", () => {
  const height = 800;
  const far = { top: 0, bottom: height + FAR_SCREENS * height + 1 };
  const near = { top: -5000, bottom: height + FAR_SCREENS * height - 1 };
  assert.equal(OLDEST_FIRST.farFromArrivals(far, height), true);
  assert.equal(OLDEST_FIRST.farFromArrivals(near, height), false);
});
