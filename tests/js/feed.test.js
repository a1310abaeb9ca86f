// The order of liveblog/static/liveblog/js/feed.js: newest first, the id breaking ties.
import assert from "node:assert/strict";
import { test } from "node:test";

import { NEWEST_FIRST, isNewer } from "../../liveblog/static/liveblog/js/feed.js";

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
