/**
 * Small statistics for the benchmarks: latency summaries, slopes, peak counts in a sliding window.
 * Percentiles use the nearest-rank method (the smallest sample with at least p% of the samples at or below
 * it), so every reported figure is a latency that actually happened.
 */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of `sorted` (ascending); `p` in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) throw new RangeError('no latency samples to summarize');
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  const total = values.reduce((sum, value) => sum + value, 0);
  return {
    count: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values[values.length - 1]!,
    mean: total / values.length,
  };
}

/**
 * `points` values at evenly spaced shares (1/points … 1) of `samples`, by nearest rank, rounded to 0.1: a
 * distribution small enough to keep in a results file and to plot as a CDF.
 */
export function latencyQuantiles(samples: readonly number[], points = 200): number[] {
  if (samples.length === 0) return [];
  const sorted = Float64Array.from(samples).sort();
  // The rank in integers: (index + 1) / points * 100 as a float would sometimes round one rank up.
  return Array.from({ length: points }, (_, index) => {
    const rank = Math.ceil(((index + 1) * sorted.length) / points);
    return Math.round(sorted[rank - 1]! * 10) / 10;
  });
}

/** Least-squares slope of y over x (e.g. RSS bytes per second); 0 for fewer than two distinct x. */
export function slope(points: readonly { readonly x: number; readonly y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

/** The most timestamps (epoch ms, any order) that fall in any window of `windowMs`: a lane's peak rate. */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
