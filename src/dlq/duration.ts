/** Durations (`90s`, `15m`, `3d`) and instants (ISO 8601, or a duration ago) as the dlq commands take them. */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function parseDuration(text: string): Parsed<number> {
  const match = DURATION.exec(text.trim());
  const amount = match?.[1];
  const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
  if (amount === undefined || unit === undefined) {
    return { ok: false, message: `${JSON.stringify(text)} is not a duration like 500ms, 90s, 15m, 2h, 3d or 1w` };
  }
  return { ok: true, value: Math.round(Number(amount) * UNIT_MS[unit]) };
}

/** An ISO 8601 instant, or a duration meaning "that long before now" (`--since 2h`). */
export function parseInstant(text: string, now: number): Parsed<number> {
  const duration = parseDuration(text);
  if (duration.ok) return { ok: true, value: now - duration.value };
  // Date.parse accepts much; insist on something that starts like an ISO date so typos are not guessed at.
  const millis = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(millis)) {
    return { ok: false, message: `${JSON.stringify(text)} is neither an ISO 8601 time nor a duration ago like 2h` };
  }
  return { ok: true, value: millis };
}

/** `1234567` → `20m 34s`: for ETAs and summaries. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
