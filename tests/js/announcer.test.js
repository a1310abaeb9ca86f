// What liveblog/static/liveblog/js/announcer.js says, and when.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  Announcer,
  MAX_LINES,
  announcementText,
} from "../../liveblog/static/liveblog/js/announcer.js";
import { Labels } from "../../liveblog/static/liveblog/js/labels.js";

const labels = new Labels(
  [
    ["new-updates.one", "{count} new update"],
    ["new-updates.other", "{count} new updates"],
  ],
  "en-GB",
);

const post = (announce) => ({ dataset: announce === undefined ? {} : { announce } });

test("new posts are announced by count, never by their text", () => {
  assert.equal(announcementText(labels, 1, []), "1 new update");
  assert.equal(announcementText(labels, 3, []), "3 new updates");
});

test("a post's announcement line follows the count", () => {
  assert.equal(
    announcementText(labels, 2, ["Result: Conservatives hold Milton Keynes South"]),
    "2 new updates. Result: Conservatives hold Milton Keynes South",
  );
});

test("no more than a few lines are read out, however many posts carry one", () => {
  const lines = ["Result: A", "Result: B", "Result: C", "Result: D", "Result: E"];
  const text = announcementText(labels, 5, lines);
  assert.equal(text, `5 new updates. ${lines.slice(0, MAX_LINES).join(". ")}`);
});

test("nothing is said for no posts", () => {
  assert.equal(announcementText(labels, 0, ["Result: A"]), "");
});

test("posts arriving together make one announcement after the batch", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const region = { textContent: "" };
  const announcer = new Announcer(region, labels, { batchMs: 1000 });

  announcer.postArrived(post());
  announcer.postArrived(post("Result: Labour gain Bedford"));
  announcer.postArrived(post(""));
  assert.equal(region.textContent, "", "nothing yet: more may come");
  t.mock.timers.tick(1000);

  assert.equal(region.textContent, "3 new updates. Result: Labour gain Bedford");
});

test("a later batch is announced on its own, even with the same words", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const region = { textContent: "" };
  const announcer = new Announcer(region, labels, { batchMs: 1000 });
  const heard = [];

  for (let n = 0; n < 2; n += 1) {
    announcer.postArrived(post());
    t.mock.timers.tick(1000);
    heard.push(region.textContent);
  }

  assert.equal(heard[0].trim(), "1 new update");
  assert.equal(heard[1].trim(), "1 new update");
  assert.notEqual(heard[0], heard[1], "the region changes, so it is read again");
});
