/**
 * A sliding-window log: at most `limit` requests in any span of `windowMs`. Klaviyo enforces a burst window
 * (per second) and a steady window (per minute) at once; a sliding log is the strictest reading of either,
 * so a sender that obeys it obeys Klaviyo whatever window alignment Klaviyo uses. Pure state, no clock:
 * every call is given `now`.
 *
 * An entry can be recorded open (a request on the wire) and closed when its answer arrives. An entry stays
 * in the window until `windowMs` after it closed: the server saw the request somewhere between grant and
 * answer, so counting from the answer keeps us inside the server's window however late the request
 * reached it (network, a busy server reading a 5 MB bulk job). Open entries always count.
 */

export interface WindowSpec {
  readonly limit: number;
  readonly windowMs: number;
}

export interface WindowEntry {
  /** Marks the request answered at `now`; its slot frees `windowMs` later. */
  close(now: number): void;
}

export interface SlidingWindow {
  readonly spec: WindowSpec;
  /** Entries within the window ending at `now` (open ones included). */
  count(now: number): number;
  /** Milliseconds until one more entry fits under `limit` (0 if it fits now). */
  waitMs(now: number, limit: number): number;
  /** Records a request at `now`; closed at once unless `open`. */
  record(now: number, open?: boolean): WindowEntry;
  clear(): void;
}

/** How often to look again when every blocking entry is still on the wire (no expiry time is known yet). */
const OPEN_ENTRY_POLL_MS = 5;

export function createSlidingWindow(spec: WindowSpec): SlidingWindow {
  // `end` is when the entry closed (Infinity while open). Closed entries are appended in time order only
  // when recorded closed, so expiry is found by a scan; windows hold at most a few thousand entries.
  let entries: { end: number }[] = [];

  function expire(now: number): void {
    const horizon = now - spec.windowMs;
    if (entries.length > 0 && entries.some((entry) => entry.end <= horizon)) {
      entries = entries.filter((entry) => entry.end > horizon);
    }
  }

  return {
    spec,
    count(now) {
      expire(now);
      return entries.length;
    },
    waitMs(now, limit) {
      expire(now);
      if (entries.length < limit) return 0;
      const mustExpire = entries.length - limit + 1;
      const ends = entries
        .map((entry) => entry.end)
        .filter((end) => end !== Number.POSITIVE_INFINITY)
        .sort((a, b) => a - b);
      const blocking = ends[mustExpire - 1];
      if (blocking === undefined) return OPEN_ENTRY_POLL_MS;
      return Math.max(1, blocking + spec.windowMs - now + 1);
    },
    record(now, open = false) {
      const entry = { end: open ? Number.POSITIVE_INFINITY : now };
      entries.push(entry);
      return {
        close(closedAt) {
          entry.end = Math.max(entry.end === Number.POSITIVE_INFINITY ? closedAt : entry.end, closedAt);
        },
      };
    },
    clear() {
      entries = [];
    },
  };
}
