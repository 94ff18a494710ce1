/**
 * Parsers for what kafka-consumer-perf-test and GNU time print. Pure, so the formats are pinned by unit
 * tests rather than discovered in the middle of a benchmark run.
 */

export interface ConsumerPerformanceReport {
  readonly messages: number;
  /** Messages per second over the fetch time only (ConsumerPerformance subtracts the group join). */
  readonly fetchMessagesPerSecond: number;
  readonly fetchTimeMs: number;
  readonly rebalanceTimeMs: number;
  /** Messages per second over the whole run, join included. */
  readonly messagesPerSecond: number;
  /** Every column as printed, for the JSON results. */
  readonly columns: Readonly<Record<string, string>>;
}

/**
 * ConsumerPerformance prints a header line of comma-separated column names and one line of values:
 *   start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, …
 */
export function parseConsumerPerformance(stdout: string): ConsumerPerformanceReport {
  const lines = stdout.split('\n').map((line) => line.trim());
  const headerIndex = lines.findIndex((line) => line.startsWith('start.time') && line.includes('nMsg.sec'));
  const values = headerIndex >= 0 ? lines.slice(headerIndex + 1).find((line) => line !== '') : undefined;
  if (headerIndex < 0 || values === undefined) {
    throw new Error(`kafka-consumer-perf-test printed no result line:\n${stdout.slice(-1_000)}`);
  }
  const names = lines[headerIndex]!.split(',').map((name) => name.trim());
  const cells = values.split(',').map((cell) => cell.trim());
  if (cells.length !== names.length) {
    throw new Error(`kafka-consumer-perf-test: ${names.length} columns but ${cells.length} values in "${values}"`);
  }
  const columns: Record<string, string> = {};
  names.forEach((name, index) => (columns[name] = cells[index]!));
  const numberOf = (name: string): number => {
    const value = Number(columns[name]);
    if (columns[name] === undefined || !Number.isFinite(value)) {
      throw new Error(`kafka-consumer-perf-test: column ${name} missing or not a number in "${values}"`);
    }
    return value;
  };
  return {
    messages: numberOf('data.consumed.in.nMsg'),
    fetchMessagesPerSecond: numberOf('fetch.nMsg.sec'),
    fetchTimeMs: numberOf('fetch.time.ms'),
    rebalanceTimeMs: numberOf('rebalance.time.ms'),
    messagesPerSecond: numberOf('nMsg.sec'),
    columns,
  };
}

export interface GnuTime {
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
}

/** The last line of `/usr/bin/time -f '%U %S %M'`: user s, system s, peak RSS in KiB. */
export function parseGnuTime(text: string): GnuTime {
  const last = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1);
  const match = last === undefined ? null : /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(last);
  if (match === null) throw new Error(`unexpected GNU time output: "${text.trim()}"`);
  return { cpuSeconds: Number(match[1]) + Number(match[2]), peakRssBytes: Number(match[3]) * 1024 };
}
