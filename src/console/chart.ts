/**
 * The overview's chart of dead letters over time: a bar per hour (per day when the span is longer than
 * three days) from the stats' `byHour` counts, as inline SVG rendered on the server, with a text
 * alternative for screen readers. Pure.
 */
import { escapeHtml } from './html.ts';

export interface Bucket {
  readonly start: number;
  readonly count: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_HOURLY_SPAN = 72;

/** Buckets from `oldest` to `newest` inclusive, empty ones too (a gap in failures is information). */
export function bucketsOf(byHour: Readonly<Record<string, number>>): {
  readonly size: 'hour' | 'day';
  readonly buckets: Bucket[];
} {
  const hours = Object.entries(byHour)
    .map(([hour, count]) => ({ start: Date.parse(hour.replace('Z', ':00Z')), count }))
    .filter((entry) => Number.isFinite(entry.start));
  if (hours.length === 0) return { size: 'hour', buckets: [] };
  const first = Math.min(...hours.map((entry) => entry.start));
  const last = Math.max(...hours.map((entry) => entry.start));
  const size = (last - first) / HOUR + 1 > MAX_HOURLY_SPAN ? 'day' : 'hour';
  const width = size === 'day' ? DAY : HOUR;
  const floor = (time: number): number => time - (time % width);
  const counts = new Map<number, number>();
  for (const entry of hours) counts.set(floor(entry.start), (counts.get(floor(entry.start)) ?? 0) + entry.count);
  const buckets: Bucket[] = [];
  for (let start = floor(first); start <= floor(last); start += width)
    buckets.push({ start, count: counts.get(start) ?? 0 });
  return { size, buckets };
}

export function renderChart(byHour: Readonly<Record<string, number>>, title: string): string {
  const { size, buckets } = bucketsOf(byHour);
  if (buckets.length === 0) return '<p class="muted">No dead letters to chart.</p>';
  const width = 640;
  const height = 140;
  const pad = { left: 36, bottom: 22, top: 8 };
  const max = Math.max(...buckets.map((bucket) => bucket.count));
  const slot = (width - pad.left) / buckets.length;
  const bar = Math.max(1, Math.min(slot * 0.8, 40));
  const scale = (height - pad.bottom - pad.top) / max;
  const label = (start: number): string =>
    size === 'day'
      ? new Date(start).toISOString().slice(0, 10)
      : `${new Date(start).toISOString().slice(5, 13).replace('T', ' ')}h`;
  const bars = buckets
    .map((bucket, index) => {
      const h = bucket.count * scale;
      const x = pad.left + index * slot + (slot - bar) / 2;
      const y = height - pad.bottom - h;
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" class="bar"><title>${escapeHtml(label(bucket.start))}: ${bucket.count}</title></rect>`;
    })
    .join('');
  const firstLabel = escapeHtml(label(buckets[0]?.start ?? 0));
  const lastLabel = escapeHtml(label(buckets[buckets.length - 1]?.start ?? 0));
  const summary = `${title}: ${buckets.reduce((sum, bucket) => sum + bucket.count, 0)} dead letters from ${firstLabel} to ${lastLabel} UTC, at most ${max} per ${size}`;
  return (
    `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(summary)}">` +
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width}" y2="${height - pad.bottom}" class="axis"/>` +
    `<text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end" class="tick">${max}</text>` +
    `<text x="${pad.left - 4}" y="${height - pad.bottom}" text-anchor="end" class="tick">0</text>` +
    bars +
    (buckets.length > 1 ? `<text x="${pad.left}" y="${height - 6}" class="tick">${firstLabel}</text>` : '') +
    `<text x="${width}" y="${height - 6}" text-anchor="end" class="tick">${lastLabel} (UTC, per ${size})</text>` +
    `</svg>`
  );
}
