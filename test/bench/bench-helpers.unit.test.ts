// The pure helpers behind the benchmarks' figures: if these are wrong, every number in BENCHMARKS.md is.
import { describe, expect, it } from 'vitest';
import { hasFlag, numberFlag } from '../../bench/lib/args.ts';
import { parseConsumerPerformance, parseGnuTime } from '../../bench/lib/kafka-tools-output.ts';
import { peakInWindow, percentile, slope, summarize } from '../../bench/lib/percentiles.ts';
import { renderTable } from '../../bench/lib/table.ts';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns the smallest sample with at least p% of the samples at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0.5)).toBe(1);
  });

  it('never interpolates: with few samples p99 is the maximum', () => {
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([10, 20, 30], 50)).toBe(20);
  });

  it('rejects an empty sample and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically, not as strings, and reports mean and max', () => {
    const summary = summarize([900, 5, 100, 20, 3]);
    expect(summary).toEqual({ count: 5, p50: 20, p90: 900, p99: 900, max: 900, mean: 205.6 });
  });

  it('refuses to summarize nothing rather than print NaN', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('slope', () => {
  it('is the least-squares growth per unit of x', () => {
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 100 + 2 * x })))).toBeCloseTo(2);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: x % 2 === 0 ? 10 : 12 })))).toBeCloseTo(0.4);
  });

  it('is 0 for a single point or a vertical cloud', () => {
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
    expect(
      slope([
        { x: 1, y: 5 },
        { x: 1, y: 9 },
      ]),
    ).toBe(0);
  });
});

describe('peakInWindow', () => {
  it('counts the most timestamps inside any window, whatever their order', () => {
    expect(peakInWindow([0, 59_999, 60_000, 120_000, 61_000, 62_000], 60_000)).toBe(4);
    expect(peakInWindow([], 60_000)).toBe(0);
  });
});

describe('kafka-consumer-perf-test output', () => {
  const output = [
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
    '2026-11-26 20:36:01:105, 2026-11-26 20:36:04:512, 15.7738, 4.6298, 20000, 5870.2671, 3041, 366, 43.0978, 54644.8087',
  ].join('\n');

  it('reads the fetch rate (join excluded), the overall rate and every column', () => {
    const report = parseConsumerPerformance(`WARNING: something the JVM said\n${output}\n`);
    expect(report.messages).toBe(20_000);
    expect(report.fetchMessagesPerSecond).toBeCloseTo(54_644.8087);
    expect(report.messagesPerSecond).toBeCloseTo(5_870.2671);
    expect(report.rebalanceTimeMs).toBe(3_041);
    expect(report.fetchTimeMs).toBe(366);
    expect(report.columns['MB.sec']).toBe('4.6298');
  });

  it('fails loudly when there is no result line or a column is missing', () => {
    expect(() => parseConsumerPerformance('Exception in thread "main"')).toThrow(/no result line/);
    expect(() => parseConsumerPerformance(output.split('\n')[0]!)).toThrow(/no result line/);
    expect(() => parseConsumerPerformance(output.replace(', 54644.8087', ''))).toThrow(/columns but/);
  });
});

describe('GNU time output', () => {
  it('adds user and system seconds and converts KiB to bytes', () => {
    expect(parseGnuTime('3.25 0.50 123456\n')).toEqual({ cpuSeconds: 3.75, peakRssBytes: 123_456 * 1024 });
  });

  it('reads the last line when the command failed first', () => {
    expect(parseGnuTime('Command exited with non-zero status 1\n0.10 0.02 2048\n').cpuSeconds).toBeCloseTo(0.12);
    expect(() => parseGnuTime('garbage')).toThrow(/unexpected GNU time output/);
  });
});

describe('flags', () => {
  it('reads numbers with underscores and rejects invalid ones instead of ignoring them', () => {
    expect(numberFlag('--events', 5, ['node', 'x', '--events', '200_000'])).toBe(200_000);
    expect(numberFlag('--events', 5, ['node', 'x'])).toBe(5);
    expect(() => numberFlag('--events', 5, ['node', 'x', '--events', 'many'])).toThrow(/positive number/);
    expect(() => numberFlag('--events', 5, ['node', 'x', '--events'])).toThrow(/got nothing/);
    expect(hasFlag('--quick', ['node', 'x', '--quick'])).toBe(true);
  });
});

describe('renderTable', () => {
  it('pads columns to the widest cell and rules off the header', () => {
    expect(
      renderTable([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('a    bb\n---  --\nccc  d');
  });
});
