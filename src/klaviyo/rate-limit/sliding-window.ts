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
 *
 * Cost: amortised O(1) per call, whatever the window holds (an account with high limits keeps tens of
 * thousands of entries in its steady window). Open entries are only counted; closed ones sit in a FIFO in
 * the order they closed, which is the order they expire, so expiry pops from the front and the entry that
 * must expire next for one more to fit is found by index.
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

/** Counts the entries the window touches, so tests can bound its work without timing it. */
export interface StepMeter {
  step(): void;
}

/** How often to look again when every blocking entry is still on the wire (no expiry time is known yet). */
const OPEN_ENTRY_POLL_MS = 5;

/** Compact the FIFO's array once this many popped slots sit before its head (and they are half of it). */
const COMPACT_AFTER = 1_024;

interface Closed {
  /** When the answer arrived; the slot frees `windowMs` later. */
  end: number;
  /** `superseded` once the entry was closed again later (its newer close sits further back in the FIFO). */
  state: 'live' | 'superseded' | 'expired';
}

export function createSlidingWindow(spec: WindowSpec, meter?: StepMeter): SlidingWindow {
  let open = 0;
  /** Closed entries by close time, ascending; `head` is the first not yet expired. */
  let closed: Closed[] = [];
  let head = 0;
  /** Closed entries in `closed[head..]` that still count (not superseded by a later close). */
  let liveClosed = 0;
  /** Superseded entries in `closed[head..]`; while there are none, the k-th live entry is found by index. */
  let superseded = 0;
  /** Bumped by clear(): handles of entries recorded before it no longer touch the window. */
  let generation = 0;

  function append(end: number): Closed {
    // Close times come from one clock and so arrive in order; a clock that stepped back is clamped to the
    // latest close, which frees the slot a little later, never earlier.
    const last = closed.length > head ? closed[closed.length - 1]!.end : Number.NEGATIVE_INFINITY;
    const node: Closed = { end: Math.max(end, last), state: 'live' };
    closed.push(node);
    liveClosed += 1;
    return node;
  }

  function expire(now: number): void {
    const horizon = now - spec.windowMs;
    while (head < closed.length && closed[head]!.end <= horizon) {
      meter?.step();
      const node = closed[head]!;
      if (node.state === 'live') liveClosed -= 1;
      else superseded -= 1;
      node.state = 'expired';
      head += 1;
    }
    if (head >= COMPACT_AFTER && head * 2 >= closed.length) {
      closed = closed.slice(head);
      head = 0;
    }
  }

  /** End of the k-th (1-based) closed entry that still counts, in expiry order. */
  function kthLiveEnd(k: number): number {
    if (superseded === 0) return closed[head + k - 1]!.end;
    let seen = 0;
    for (let index = head; index < closed.length; index += 1) {
      meter?.step();
      const node = closed[index]!;
      if (node.state === 'live' && ++seen === k) return node.end;
    }
    throw new Error(`sliding window: no closed entry ${k} of ${liveClosed}`);
  }

  return {
    spec,
    count(now) {
      expire(now);
      return open + liveClosed;
    },
    waitMs(now, limit) {
      expire(now);
      const size = open + liveClosed;
      if (size < limit) return 0;
      // Closed entries expire before open ones can (an open entry's slot frees a window after a close to come).
      const mustExpire = size - limit + 1;
      if (mustExpire > liveClosed) return OPEN_ENTRY_POLL_MS;
      return Math.max(1, kthLiveEnd(mustExpire) + spec.windowMs - now + 1);
    },
    record(now, isOpen = false) {
      let node: Closed | undefined;
      if (isOpen) open += 1;
      else node = append(now);
      const recordedIn = generation;
      return {
        close(closedAt) {
          if (recordedIn !== generation) return;
          if (node === undefined) {
            open -= 1;
            node = append(closedAt);
            return;
          }
          // Closing again moves the slot's release later, never earlier; an expired entry stays gone.
          if (node.state !== 'live' || closedAt <= node.end) return;
          node.state = 'superseded';
          liveClosed -= 1;
          superseded += 1;
          node = append(closedAt);
        },
      };
    },
    clear() {
      open = 0;
      closed = [];
      head = 0;
      liveClosed = 0;
      superseded = 0;
      generation += 1;
    },
  };
}
