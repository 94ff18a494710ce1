/**
 * A sliding-window log: at most `limit` grants in any span of `windowMs`. Klaviyo enforces a burst window
 * (per second) and a steady window (per minute) at once; a sliding log is the strictest reading of either,
 * so a sender that obeys it obeys Klaviyo whatever window alignment Klaviyo uses. Pure state, no clock:
 * every call is given `now`.
 */

export interface WindowSpec {
  readonly limit: number;
  readonly windowMs: number;
}

export interface SlidingWindow {
  readonly spec: WindowSpec;
  /** Grants recorded within the window ending at `now`. */
  count(now: number): number;
  /** Milliseconds until one more grant fits under `limit` (0 if it fits now). */
  waitMs(now: number, limit: number): number;
  record(now: number): void;
  clear(): void;
}

export function createSlidingWindow(spec: WindowSpec): SlidingWindow {
  // Timestamps in grant order; `head` skips expired ones without shifting the array on every call.
  let times: number[] = [];
  let head = 0;

  function expire(now: number): void {
    const horizon = now - spec.windowMs;
    while (head < times.length && times[head]! <= horizon) head += 1;
    if (head > 1024 && head * 2 > times.length) {
      times = times.slice(head);
      head = 0;
    }
  }

  return {
    spec,
    count(now) {
      expire(now);
      return times.length - head;
    },
    waitMs(now, limit) {
      expire(now);
      const inWindow = times.length - head;
      if (inWindow < limit) return 0;
      // The grant that must expire before one more fits is the (inWindow - limit + 1)-th oldest.
      const blocking = times[head + inWindow - limit]!;
      return Math.max(1, blocking + spec.windowMs - now + 1);
    },
    record(now) {
      times.push(now);
    },
    clear() {
      times = [];
      head = 0;
    },
  };
}
