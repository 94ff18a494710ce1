/**
 * Progress of a long replay on stderr: a bar with rate and ETA redrawn in place on a terminal, a plain
 * line every few seconds when stderr is a file or a CI log (a bar full of carriage returns is unreadable
 * there). The line itself is a pure function of the counts and the elapsed time.
 */
import { formatDuration } from './duration.ts';

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
}

const BAR_WIDTH = 30;

export function formatProgress(state: ProgressState, withBar: boolean): string {
  const { done, total, elapsedMs } = state;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const rate = elapsedMs > 0 ? (done * 1_000) / elapsedMs : 0;
  const eta = rate > 0 ? ((total - done) * 1_000) / rate : Number.NaN;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
  const percent = `${Math.floor(fraction * 100)}%`;
  const tail = done >= total ? `in ${formatDuration(elapsedMs)}` : `ETA ${formatDuration(eta)}`;
  return `${bar}${count} ${percent} ${Math.round(rate).toLocaleString('en-US')}/s ${tail}`;
}

export interface ProgressReporter {
  update(done: number): void;
  finish(done: number): void;
}

export interface ProgressReporterOptions {
  readonly total: number;
  readonly write: (text: string) => void;
  readonly isTTY: boolean;
  readonly now: () => number;
  /** Plain-line interval when not on a terminal. */
  readonly plainIntervalMs?: number;
  readonly label?: string;
}

export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const started = options.now();
  const interval = options.isTTY ? 100 : (options.plainIntervalMs ?? 5_000);
  const label = options.label === undefined ? '' : `${options.label} `;
  let lastDrawn = Number.NEGATIVE_INFINITY;
  const draw = (done: number, final: boolean): void => {
    const line = `${label}${formatProgress({ done, total: options.total, elapsedMs: options.now() - started }, options.isTTY)}`;
    if (options.isTTY) options.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else options.write(`${line}\n`);
  };
  return {
    update(done) {
      const current = options.now();
      if (current - lastDrawn < interval) return;
      lastDrawn = current;
      draw(done, false);
    },
    finish(done) {
      draw(done, true);
    },
  };
}
