// The seq rules of the reader page, without the DOM or the socket.
//
// The server numbers every reader-visible change of a blog (seq). The page keeps the last
// seq applied and, for each frame that arrives, decides one step: apply the next change,
// only move the seq on, ignore what it already has, resync (reconnect with ?after=<seq>, so
// the server sends what was missed, in order), or reload (too far behind for catch-up).

export const APPLY = "apply"; // the next change: show it
export const ADVANCE = "advance"; // the next seq, with nothing to show
export const IGNORE = "ignore"; // already applied, or nothing to do
export const RESYNC = "resync"; // missed something: reconnect with ?after=<last seq>
export const RELOAD = "reload"; // the server says catch-up cannot cover the gap

/**
 * The step for `frame` when `lastSeq` is the last seq applied, and the last seq after it:
 * `{ action, lastSeq }`.
 */
export function nextStep(lastSeq, frame) {
  if (frame.kind === "reload") return { action: RELOAD, lastSeq };
  if (!Number.isInteger(frame.seq)) return { action: IGNORE, lastSeq };
  if (frame.kind === "heartbeat") {
    // A heartbeat carries the blog's latest seq: ahead of us means a frame went missing.
    return { action: frame.seq > lastSeq ? RESYNC : IGNORE, lastSeq };
  }
  if (frame.seq <= lastSeq) return { action: IGNORE, lastSeq }; // a duplicate
  // A gap: catch up in order rather than apply out of order.
  if (frame.seq > lastSeq + 1) return { action: RESYNC, lastSeq };
  return { action: carriesChange(frame) ? APPLY : ADVANCE, lastSeq: frame.seq };
}

/**
 * False for a frame that only holds a seq's place: a no-op (catch-up sends one for an event
 * whose post has since gone), or a post event whose content was compacted away.
 */
export function carriesChange(frame) {
  if (frame.kind === "noop") return false;
  if (String(frame.kind).startsWith("post.") && frame.kind !== "post.deleted") {
    return Boolean(frame.html);
  }
  return true;
}
