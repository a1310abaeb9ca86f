// The partner embed's height messages: embed.js (inside the frame) tells only a listed
// partner; embed-host.js (the partner's snippet) listens only to our frames.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import vm from "node:vm";

import {
  MESSAGE_TYPE,
  leavesPage,
  listedParents,
  parentOrigin,
  reportHeight,
} from "../../liveblog/static/liveblog/js/embed.js";

const PARTNER = "https://news.example";
const OURS = "https://live.example";

test("a listed partner named by the browser is told", () => {
  const origin = parentOrigin({ ancestorOrigins: [PARTNER], referrer: "" }, [PARTNER]);
  assert.equal(origin, PARTNER);
});

test("without ancestorOrigins the referrer's origin is used, path and all dropped", () => {
  const origin = parentOrigin({ referrer: `${PARTNER}/politics/live?x=1#top` }, [PARTNER]);
  assert.equal(origin, PARTNER);
});

test("a parent that is not listed is never told", () => {
  assert.equal(parentOrigin({ ancestorOrigins: ["https://evil.example"] }, [PARTNER]), null);
  assert.equal(parentOrigin({ referrer: "https://evil.example/" }, [PARTNER]), null);
  assert.equal(parentOrigin({ referrer: "https://news.example.evil.example/" }, [PARTNER]), null);
  assert.equal(parentOrigin({ referrer: "http://news.example/" }, [PARTNER]), null);
});

test("the browser's own answer wins over a referrer that names a partner", () => {
  const seen = { ancestorOrigins: ["https://evil.example"], referrer: `${PARTNER}/` };
  assert.equal(parentOrigin(seen, [PARTNER]), null);
});

test("no referrer, a broken one or an opaque origin tells nobody", () => {
  assert.equal(parentOrigin({ referrer: "" }, [PARTNER]), null);
  assert.equal(parentOrigin({ referrer: "not a url" }, [PARTNER]), null);
  assert.equal(parentOrigin({ ancestorOrigins: ["null"] }, [PARTNER, "null"]), null);
  assert.equal(parentOrigin({ referrer: "data:text/html,x" }, [PARTNER]), null);
});

test("the page's list keeps only origins as the server writes them", () => {
  assert.deepEqual(listedParents(`${PARTNER} * https://a.example/path javascript:x`), [PARTNER]);
  assert.deepEqual(listedParents(""), []);
  assert.deepEqual(listedParents(undefined), []);
});

test("links within the page stay, links elsewhere leave", () => {
  assert.equal(leavesPage(`${OURS}/embed/live/a/#post-1`, `${OURS}/embed/live/a/`), false);
  assert.equal(leavesPage(`${OURS}/live/a/`, `${OURS}/embed/live/a/`), true);
  assert.equal(leavesPage("https://x.com/p", `${OURS}/embed/live/a/`), true);
});

function frameWindow({ parentOrigin: origin, listed, height = 321 }) {
  const posted = [];
  const observed = [];
  const parent = { postMessage: (message, target) => posted.push([message, target]) };
  const body = { dataset: { embedParents: listed }, getBoundingClientRect: () => ({ height }) };
  const win = {
    parent,
    location: { origin: OURS, ancestorOrigins: [origin] },
    document: { body, referrer: "" },
    ResizeObserver: class {
      constructor(callback) {
        this.callback = callback;
      }
      observe(node) {
        observed.push([node, this.callback]);
      }
    },
  };
  return { win, posted, observed };
}

test("the frame posts its height to a listed parent, with that parent as the target", () => {
  const { win, posted, observed } = frameWindow({ parentOrigin: PARTNER, listed: PARTNER });

  assert.equal(reportHeight(win), PARTNER);
  assert.deepEqual(posted, [[{ type: MESSAGE_TYPE, height: 321 }, PARTNER]]);
  assert.equal(observed.length, 1);
  observed[0][1]();
  assert.equal(posted.length, 1, "an unchanged height is not posted again");
});

test("the frame posts nothing to a parent that is not listed", () => {
  const { win, posted } = frameWindow({ parentOrigin: "https://evil.example", listed: PARTNER });

  assert.equal(reportHeight(win), null);
  assert.deepEqual(posted, []);
});

test("a page that is not framed posts nothing", () => {
  const { win, posted } = frameWindow({ parentOrigin: PARTNER, listed: PARTNER });
  win.parent = win;

  assert.equal(reportHeight(win), null);
  assert.deepEqual(posted, []);
});

// embed-host.js, run as the classic script partners paste.
function hostPage(frames) {
  const listeners = [];
  const window = { addEventListener: (type, fn) => listeners.push([type, fn]) };
  const context = {
    window,
    location: { href: `${PARTNER}/politics/` },
    URL,
    document: { querySelectorAll: () => frames },
  };
  vm.runInNewContext(
    readFileSync(new URL("../../liveblog/static/liveblog/js/embed-host.js", import.meta.url)),
    context,
  );
  return (event) => listeners.forEach(([type, fn]) => type === "message" && fn(event));
}

test("the partner's snippet sizes the frame that sent the message, from our origin", () => {
  const ours = { contentWindow: {}, src: `${OURS}/embed/live/a/`, style: {} };
  const other = { contentWindow: {}, src: `${OURS}/embed/live/b/`, style: {} };
  const deliver = hostPage([other, ours]);

  deliver({ origin: OURS, source: ours.contentWindow, data: { type: MESSAGE_TYPE, height: 812.2 } });

  assert.equal(ours.style.height, "813px");
  assert.equal(other.style.height, undefined);
});

test("the partner's snippet ignores other origins, other windows and odd heights", () => {
  const frame = { contentWindow: {}, src: `${OURS}/embed/live/a/`, style: {} };
  const deliver = hostPage([frame]);
  const message = (origin, source, data) => deliver({ origin, source, data });

  message("https://evil.example", frame.contentWindow, { type: MESSAGE_TYPE, height: 10 });
  message(OURS, {}, { type: MESSAGE_TYPE, height: 10 });
  message(OURS, frame.contentWindow, { type: "other", height: 10 });
  message(OURS, frame.contentWindow, { type: MESSAGE_TYPE, height: "1e9" });
  message(OURS, frame.contentWindow, { type: MESSAGE_TYPE, height: -1 });
  message(OURS, frame.contentWindow, { type: MESSAGE_TYPE, height: "tall" });
  message(OURS, frame.contentWindow, null);

  assert.equal(frame.style.height, undefined);
});
