// liveblog/static/liveblog/js/labels.js: the words come from the page, counted ones in the
// plural form of the page's language.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Labels } from "../../liveblog/static/liveblog/js/labels.js";

const page = new Labels(
  [
    ["connection.reconnecting", "Reconnecting…"],
    ["new-updates.one", "{count} new update"],
    ["new-updates.other", "{count} new updates"],
  ],
  "en-GB",
);

test("a label is the page's text", () => {
  assert.equal(page.text("connection.reconnecting"), "Reconnecting…");
});

test("a label the page does not have is empty", () => {
  assert.equal(page.text("connection.live"), "");
});

test("a counted label takes the plural form for its count", () => {
  assert.equal(page.count("new-updates", 1), "1 new update");
  assert.equal(page.count("new-updates", 3), "3 new updates");
  assert.equal(page.count("new-updates", 1200), "1,200 new updates");
});

test("a counted label falls back to the other form", () => {
  const labels = new Labels([["new-updates.other", "{count} nouvelles"]], "en-GB");
  assert.equal(labels.count("new-updates", 1), "1 nouvelles");
});
