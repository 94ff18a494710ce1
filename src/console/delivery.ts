/**
 * The delivery view's numbers, read from the relay's own /metrics (Prometheus text): per lane the rate the
 * limiter allows and the rate actually sent (from two scrapes of `relay_lane_events_total`), Klaviyo's
 * budget per rate family, the backlog per urgency class, unsettled requests, halts and readiness. The
 * parser reads the plain `name{labels} value` lines prom-client writes; nothing more. Pure.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line.trim());
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL))
      labels[label[1] ?? ''] = (label[2] ?? '').replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1] ?? '', labels, value });
  }
  return samples;
}

export interface Scrape {
  readonly at: number;
  readonly samples: readonly Sample[];
}

/** Klaviyo's documented limits per lane, from the relay's configuration (KLAVIYO_RATE_*). */
export interface LaneLimit {
  readonly lane: string;
  readonly family: string;
  readonly perSecond: number;
  readonly perMinute: number;
}

export interface LaneRow {
  readonly lane: string;
  readonly limit: LaneLimit | undefined;
  readonly allowedPerSecond: number | undefined;
  /** Events per second between the previous scrape and this one; undefined on the first scrape. */
  readonly sentPerSecond: number | undefined;
  readonly sentTotal: number;
}

export interface DeliveryView {
  readonly lanes: readonly LaneRow[];
  readonly budgets: readonly {
    readonly family: string;
    readonly remaining: number | undefined;
    readonly limit: number | undefined;
    readonly waitedSeconds: number | undefined;
  }[];
  /** Requests Klaviyo answered, by endpoint and status, since the relay started. */
  readonly requests: readonly { readonly endpoint: string; readonly status: string; readonly count: number }[];
  readonly classes: readonly {
    readonly name: string;
    readonly backlog: number;
    readonly oldestAgeSeconds: number | undefined;
  }[];
  readonly unsettled: number;
  readonly oldestUnsettledSeconds: number;
  readonly halted: boolean;
  readonly failingChecks: readonly string[];
  readonly deadLetters: readonly {
    readonly topic: string;
    readonly stage: string;
    readonly code: string;
    readonly count: number;
  }[];
}

const byLabel = (samples: readonly Sample[], name: string, label: string): Map<string, number> => {
  const map = new Map<string, number>();
  for (const sample of samples)
    if (sample.name === name) {
      const key = sample.labels[label] ?? '';
      map.set(key, (map.get(key) ?? 0) + sample.value);
    }
  return map;
};

export function deliveryView(
  current: Scrape,
  previous: Scrape | undefined,
  limits: readonly LaneLimit[] = [],
): DeliveryView {
  const samples = current.samples;
  const sent = byLabel(samples, 'relay_lane_events_total', 'lane');
  const allowed = byLabel(samples, 'relay_lane_allowed_rate_per_second', 'lane');
  const sentBefore = previous === undefined ? undefined : byLabel(previous.samples, 'relay_lane_events_total', 'lane');
  const seconds = previous === undefined ? 0 : (current.at - previous.at) / 1_000;
  const names = [...new Set([...limits.map((limit) => limit.lane), ...[...allowed.keys(), ...sent.keys()].sort()])];
  const lanes = names.map((lane) => ({
    lane,
    limit: limits.find((limit) => limit.lane === lane),
    allowedPerSecond: allowed.get(lane),
    sentPerSecond:
      sentBefore === undefined || seconds <= 0
        ? undefined
        : Math.max(0, ((sent.get(lane) ?? 0) - (sentBefore.get(lane) ?? 0)) / seconds),
    sentTotal: sent.get(lane) ?? 0,
  }));
  const remaining = byLabel(samples, 'relay_klaviyo_budget_remaining', 'family');
  const limit = byLabel(samples, 'relay_klaviyo_budget_limit', 'family');
  const waited = byLabel(samples, 'relay_rate_limiter_waited_seconds', 'family');
  const budgets = [
    ...new Set([...limits.map((entry) => entry.family), ...remaining.keys(), ...limit.keys(), ...waited.keys()]),
  ].map((family) => ({
    family,
    remaining: remaining.get(family),
    limit: limit.get(family),
    waitedSeconds: waited.get(family),
  }));
  const backlog = byLabel(samples, 'relay_class_backlog_requests', 'class');
  const age = byLabel(samples, 'relay_class_oldest_age_seconds', 'class');
  const classes = [...new Set([...backlog.keys(), ...age.keys()])]
    .sort()
    .map((name) => ({ name, backlog: backlog.get(name) ?? 0, oldestAgeSeconds: age.get(name) }));
  const sum = (name: string): number => samples.filter((s) => s.name === name).reduce((total, s) => total + s.value, 0);
  const max = (name: string): number =>
    samples.filter((s) => s.name === name).reduce((top, s) => Math.max(top, s.value), 0);
  return {
    lanes,
    budgets,
    classes,
    unsettled: sum('relay_dispatcher_unsettled_requests'),
    oldestUnsettledSeconds: max('relay_dispatcher_oldest_unsettled_age_seconds'),
    halted: samples.some((sample) => sample.name === 'relay_halted' && sample.value > 0),
    failingChecks: samples
      .filter((sample) => sample.name === 'relay_readiness_check' && sample.value === 0)
      .map((sample) => sample.labels.check ?? '?'),
    requests: samples
      .filter((sample) => sample.name === 'relay_klaviyo_requests_total' && sample.value > 0)
      .map((sample) => ({
        endpoint: sample.labels.endpoint ?? '',
        status: sample.labels.status ?? '',
        count: sample.value,
      })),
    deadLetters: samples
      .filter((sample) => sample.name === 'relay_dead_letters_total' && sample.value > 0)
      .map((sample) => ({
        topic: sample.labels.topic ?? '',
        stage: sample.labels.stage ?? '',
        code: sample.labels.code ?? '',
        count: sample.value,
      })),
  };
}
