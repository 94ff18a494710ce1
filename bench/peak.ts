/**
 * `npm run bench:peak [-- --quick] [-- --windows N]`: the relay's delivery engine against the Klaviyo sandbox at
 * Klaviyo's Create Event limits, while a competing integration on the same account spends 50 % of every steady
 * window (the sandbox's `competitor` setting: evenly over the window, so in every burst window too). A backlog
 * that never runs dry keeps the Create Event lane busy; one urgent request (Reset Password) a second goes
 * through the same limiter with its class. Prints per steady window: what the relay (backlog and urgent
 * requests together) got accepted, its 429s,
 * and the share of the half left that it used; then the totals and the urgent requests' latency from the
 * moment they were due to Klaviyo's 202. Results go to bench/results/peak.json.
 *
 * Full run: Klaviyo's own windows (1 s burst 350, 60 s steady 3,500), 4 windows. `--quick`: the steady window
 * scaled to 10 s with the same per-second rates (583 per 10 s, burst 350/s), 5 windows. The first window is
 * not counted (the limiter has not measured the competitor yet when it starts).
 *
 * The urgent requests acquire the limiter with `urgency: 'urgent'` directly: the dispatcher does not yet pass a
 * class (that wiring comes with the dispatcher rework), so this measures the limiter's serving, not Kafka.
 */
import { cpus, totalmem } from 'node:os';
import { createKlaviyoClient, type KlaviyoClient } from '../src/klaviyo/client/client.ts';
import { createDeliverer } from '../src/klaviyo/deliver/deliverer.ts';
import { createRateLimiter } from '../src/klaviyo/rate-limit/limiter.ts';
import type { SandboxOptions } from '../src/sandbox/server.ts';
import { createEventRequest } from '../test/delivery/fixtures.ts';
import { hasFlag, numberFlag } from './lib/args.ts';
import { startSandboxProcess } from './lib/sandbox-process.ts';
import { writeResults } from './lib/results.ts';
import { renderTable } from './lib/table.ts';

const quick = hasFlag('--quick');
const windows = numberFlag('--windows', quick ? 5 : 4);
const COMPETITOR_SHARE = 0.5;
const steadyMs = quick ? 10_000 : 60_000;
const burstMs = 1_000;
const perSecond = 350;
const perWindow = quick ? Math.floor(3_500 / 6) : 3_500;
const limits = {
  events: { perSecond, perMinute: perWindow },
  bulk: { perSecond: 10, perMinute: quick ? 25 : 150 },
  profiles: { perSecond: 75, perMinute: quick ? 125 : 750 },
};

function startSandbox(options: SandboxOptions): Promise<{ url: string; stop: () => void }> {
  return startSandboxProcess(['bench/workers/sandbox-worker.ts', JSON.stringify(options)]);
}

interface Tally {
  accepted: number[];
  rateLimited: number[];
}

/** Records when each Create Event was accepted or answered 429 (the sandbox's clock is the same machine's). */
function tallied(client: KlaviyoClient, tally: Tally): KlaviyoClient {
  return {
    ...client,
    async createEvent(body) {
      const result = await client.createEvent(body);
      if (result.ok) tally.accepted.push(Date.now());
      else if (result.error.code === 'KLAVIYO_RATE_LIMITED') tally.rateLimited.push(Date.now());
      return result;
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

const sandbox = await startSandbox({
  limits,
  windows: { burstMs, steadyMs },
  competitor: { events: COMPETITOR_SHARE },
});
try {
  const tally: Tally = { accepted: [], rateLimited: [] };
  const raw = createKlaviyoClient({
    baseUrl: sandbox.url,
    apiKey: 'pk_bench',
    revision: '2026-07-15',
    timeoutMs: 30_000,
    maxConnections: 32,
  });
  const client = tallied(raw, tally);
  const limiter = createRateLimiter({ limits, windowMs: { burst: burstMs, steady: steadyMs } });
  const deliverer = createDeliverer({
    client,
    limiter,
    backoff: { baseMs: 100, capMs: 5_000, random: Math.random },
    maxInFlight: 32,
  });
  // Start on a window boundary so every counted window is whole.
  const start = (Math.floor(Date.now() / steadyMs) + 1) * steadyMs;
  await new Promise((resolve) => setTimeout(resolve, start - Date.now()));
  const end = start + windows * steadyMs;
  const stop = new AbortController();
  let next = 0;
  const backlog = (async () => {
    while (Date.now() < end) {
      const batch = Array.from({ length: 500 }, () => {
        next += 1;
        return createEventRequest(next, { profile: `peak-${next % 5_000}`, metric: 'Shipping Update' });
      });
      await deliverer.deliver(batch, { signal: stop.signal });
    }
  })();
  const urgentLatencies: number[] = [];
  let urgentRateLimited = 0;
  const urgent = (async () => {
    let index = 0;
    for (let due = start + 500; due < end; due += 1_000) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      index += 1;
      const request = createEventRequest(1_000_000 + index, { profile: `reset-${index}`, metric: 'Reset Password' });
      void (async () => {
        const grant = await limiter.acquire('events', { urgency: 'urgent' });
        const result = await client.createEvent(request.body);
        grant.done();
        limiter.observe('events', result.rateLimit);
        if (result.ok) urgentLatencies.push(Date.now() - due);
        else urgentRateLimited += 1;
      })();
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, end - Date.now()));
  stop.abort();
  await Promise.all([backlog, urgent]);
  await raw.close();

  const half = perWindow * (1 - COMPETITOR_SHARE);
  const rows = [];
  for (let window = 0; window < windows; window += 1) {
    const from = start + window * steadyMs;
    const to = from + steadyMs;
    const accepted = tally.accepted.filter((time) => time >= from && time < to).length;
    const refused = tally.rateLimited.filter((time) => time >= from && time < to).length;
    rows.push({
      window: window + 1,
      counted: window > 0,
      accepted,
      rateLimited429: refused,
      shareOfHalfLeft: Math.round((accepted / half) * 1000) / 10,
    });
  }
  const counted = rows.filter((row) => row.counted);
  const acceptedTotal = counted.reduce((sum, row) => sum + row.accepted, 0);
  const refusedTotal = counted.reduce((sum, row) => sum + row.rateLimited429, 0);
  urgentLatencies.sort((a, b) => a - b);
  const summary = {
    windows: `${windows} × ${steadyMs / 1000} s steady (${perWindow}/window), burst ${perSecond}/s${quick ? ', scaled' : ''}`,
    competitorShare: COMPETITOR_SHARE,
    relayRequests: acceptedTotal + refusedTotal,
    relay429Share: Math.round((refusedTotal / Math.max(1, acceptedTotal + refusedTotal)) * 10_000) / 100,
    shareOfHalfLeftUsedMin: Math.min(...counted.map((row) => row.shareOfHalfLeft)),
    shareOfHalfLeftUsedMean: Math.round((acceptedTotal / (half * counted.length)) * 1000) / 10,
    urgentSent: urgentLatencies.length + urgentRateLimited,
    urgent429: urgentRateLimited,
    urgentP50Ms: percentile(urgentLatencies, 0.5),
    urgentP99Ms: percentile(urgentLatencies, 0.99),
    urgentMaxMs: urgentLatencies.at(-1) ?? 0,
  };
  console.log(
    renderTable([
      ['window', 'counted', 'relay accepted', 'relay 429s', 'share of the half left used'],
      ...rows.map((row) => [
        String(row.window),
        row.counted ? 'yes' : 'no (warm-up)',
        String(row.accepted),
        String(row.rateLimited429),
        `${row.shareOfHalfLeft} %`,
      ]),
    ]),
  );
  console.log('');
  console.log(
    renderTable([
      ['measure', 'value', 'target'],
      ['relay 429s / relay requests', `${summary.relay429Share} % of ${summary.relayRequests}`, '≤ 1 %'],
      ['share of the half left used (min window)', `${summary.shareOfHalfLeftUsedMin} %`, '≥ 95 %'],
      ['share of the half left used (mean)', `${summary.shareOfHalfLeftUsedMean} %`, ''],
      [
        'urgent: due → 202, p50 / p99 / max',
        `${summary.urgentP50Ms} / ${summary.urgentP99Ms} / ${summary.urgentMaxMs} ms`,
        'p99 < 1 s',
      ],
      ['urgent 429s', `${summary.urgent429} of ${summary.urgentSent}`, '0'],
    ]),
  );
  const file = writeResults('peak', {
    at: new Date().toISOString(),
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    quick,
    summary,
    rows,
  });
  console.log(`\nresults: ${file}`);
  const missed = [
    ...(summary.relay429Share > 1 ? ['relay 429s over 1 %'] : []),
    ...(summary.shareOfHalfLeftUsedMin < 95 ? ['under 95 % of the half left used in a window'] : []),
    ...(summary.urgentP99Ms >= 1_000 ? ['urgent p99 not under 1 s'] : []),
  ];
  if (missed.length > 0) {
    console.log(`targets missed: ${missed.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  sandbox.stop();
}
