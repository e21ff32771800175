import {
  HOP_METRIC,
  HOPS,
  type LiveFigures,
  type LiveHop,
  type LiveLag,
  type LiveRate,
  type LiveService,
} from '@open-bank/contract';
import type { Sample } from './prom-text.ts';

export type { LiveFigures } from '@open-bank/contract';

/** What one scrape of every target found: each target's samples, or null when it did not answer. */
export interface Scrape {
  /** Milliseconds since the epoch, when the scrape started. */
  readonly at: number;
  readonly targets: Readonly<Record<string, readonly Sample[] | null>>;
}

/** The heartbeat's rate as its control API reports it. */
export interface HeartbeatRate {
  readonly batchSize: number;
  readonly intervalMs: number;
}

const KEPT = new Set(['process_cpu_seconds_total', 'process_resident_memory_bytes']);

/** The sample names the figures use; everything else in a scrape is dropped while parsing. */
export function keptSample(name: string): boolean {
  return name.startsWith('open_bank_') || KEPT.has(name);
}

type Filter = (labels: Readonly<Record<string, string>>) => boolean;
const any: Filter = () => true;

function samplesOf(samples: readonly Sample[] | null | undefined, name: string, filter: Filter): Sample[] {
  return (samples ?? []).filter((s) => s.name === name && filter(s.labels));
}

function sum(samples: readonly Sample[]): number {
  let total = 0;
  for (const s of samples) if (Number.isFinite(s.value)) total += s.value;
  return total;
}

/** How much a counter grew in one target; a counter lower than before restarted, so all of it is new. */
function growth(before: readonly Sample[], now: readonly Sample[], name: string, filter: Filter): number {
  const old = new Map(samplesOf(before, name, filter).map((s) => [labelKey(s.labels), s.value]));
  let total = 0;
  for (const s of samplesOf(now, name, filter)) {
    const prev = old.get(labelKey(s.labels));
    if (prev !== undefined) total += s.value >= prev ? s.value - prev : s.value;
  }
  return total;
}

/** Growth of a counter from the first scrape to the last, over the targets answering both. */
function increase(first: Scrape, last: Scrape, name: string, filter: Filter = any): number {
  let total = 0;
  for (const [target, now] of Object.entries(last.targets)) {
    const before = first.targets[target];
    if (now && before) total += growth(before, now, name, filter);
  }
  return total;
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** Prometheus' histogram_quantile over cumulative bucket counts (le → count), linear inside a bucket. */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (sorted.length === 0 || total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      // In the +Inf bucket all that is known is that it is above the highest finite bound.
      if (!Number.isFinite(le)) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

/** Growth of a histogram's buckets between two scrapes, summed over targets and label sets matching `filter`. */
function bucketIncrease(first: Scrape, last: Scrape, name: string, filter: Filter): Map<number, number> {
  const out = new Map<number, number>();
  for (const [target, now] of Object.entries(last.targets)) {
    const before = first.targets[target];
    if (!now || !before) continue;
    const bucket = `${name}_bucket`;
    const old = new Map(samplesOf(before, bucket, filter).map((s) => [labelKey(s.labels), s.value]));
    for (const s of samplesOf(now, bucket, filter)) {
      const prev = old.get(labelKey(s.labels));
      if (prev === undefined) continue;
      const le = parseLe(s.labels.le);
      if (le === undefined) continue;
      out.set(le, (out.get(le) ?? 0) + (s.value >= prev ? s.value - prev : s.value));
    }
  }
  return out;
}

function parseLe(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  const n = Number(raw);
  return Number.isNaN(n) ? undefined : n;
}

const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 100_000) / 100);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function quantiles(buckets: ReadonlyMap<number, number>) {
  return { p50_ms: ms(histogramQuantile(0.5, buckets)), p99_ms: ms(histogramQuantile(0.99, buckets)) };
}

/**
 * The figures over a window of successive scrapes (oldest first): rates from the growth of counters
 * between the first and the last, quantiles from the growth of histogram buckets, gauges from the last.
 */
export function liveFigures(
  window: readonly Scrape[],
  heartbeat: HeartbeatRate | null,
  heartbeatControl: boolean,
): LiveFigures {
  const last = window.at(-1);
  if (!last) throw new RangeError('liveFigures needs at least one scrape');
  const first = window.length > 1 ? (window[0] as Scrape) : last;
  const seconds = (last.at - first.at) / 1000;
  const perSecond = (n: number) => (seconds > 0 ? round(n / seconds) : 0);
  const rate = (name: string, filter: Filter = any) => perSecond(increase(first, last, name, filter));
  const gauge = (name: string, filter: Filter = any) =>
    sum(Object.values(last.targets).flatMap((t) => samplesOf(t, name, filter)));

  const commandKinds = new Map<string, LiveRate>();
  for (const s of Object.values(last.targets).flatMap((t) => samplesOf(t, 'open_bank_commands_total', any))) {
    const kind = s.labels.kind ?? '';
    const outcome = s.labels.answer ?? '';
    const per = rate('open_bank_commands_total', (l) => l.kind === kind && l.answer === outcome);
    commandKinds.set(`${kind}/${outcome}`, { kind, outcome, per_second: per });
  }

  const hops: LiveHop[] = HOPS.map((hop) => {
    const buckets = bucketIncrease(first, last, HOP_METRIC, (l) => l.hop === hop);
    const count = Math.max(0, ...buckets.values());
    return { hop, per_second: perSecond(count), ...quantiles(buckets) };
  });
  const total = hops.find((h) => h.hop === 'total');
  const handling = quantiles(bucketIncrease(first, last, 'open_bank_handling_seconds', any));
  const fromTotal = total !== undefined && total.per_second > 0;
  const latency = fromTotal ? total : handling;

  const lag: LiveLag[] = [];
  for (const [service, samples] of Object.entries(last.targets)) {
    const byTopic = new Map<string, number>();
    for (const s of samplesOf(samples, 'open_bank_consumer_lag', any)) {
      const topic = s.labels.topic ?? '';
      byTopic.set(topic, (byTopic.get(topic) ?? 0) + s.value);
    }
    for (const [topic, n] of byTopic) lag.push({ service, topic, lag: n });
  }

  const services: LiveService[] = Object.entries(last.targets).map(([name, samples]) => {
    const before = first.targets[name];
    const hasCpu = samplesOf(samples, 'process_cpu_seconds_total', any).length > 0;
    const cpu =
      samples && before && hasCpu && seconds > 0
        ? round((growth(before, samples, 'process_cpu_seconds_total', any) / seconds) * 100)
        : null;
    const rss = samplesOf(samples, 'process_resident_memory_bytes', any)[0];
    return {
      name,
      up: samples !== null,
      cpu_percent: cpu,
      memory_mb: rss === undefined ? null : round(rss.value / 1024 / 1024),
    };
  });

  return {
    at: new Date(last.at).toISOString(),
    window_seconds: round(seconds, 3),
    commands_per_second: rate('open_bank_commands_total'),
    commands: [...commandKinds.values()].sort((a, b) =>
      (a.kind + a.outcome).localeCompare(b.kind + b.outcome),
    ),
    generated_per_second: rate('open_bank_commands_generated_total'),
    heartbeats_per_second: rate('open_bank_heartbeat_beats_sent_total'),
    heartbeat_target_per_second:
      heartbeat === null ? null : round((heartbeat.batchSize * 1000) / heartbeat.intervalMs),
    latency_p50_ms: latency.p50_ms,
    latency_p99_ms: latency.p99_ms,
    latency_source: fromTotal ? 'hop total' : 'command handling',
    hops,
    lag: lag.sort((a, b) => `${a.service}/${a.topic}`.localeCompare(`${b.service}/${b.topic}`)),
    dead_lettered_per_second: rate('open_bank_messages_handled_total', (l) => l.outcome !== 'ok'),
    kafka_transaction_retries_per_second: rate('open_bank_kafka_transaction_retries_total'),
    db_transaction_retries_per_second: rate('open_bank_db_transaction_retries_total'),
    websockets: gauge('open_bank_graphql_websockets'),
    subscriptions: gauge('open_bank_graphql_transaction_subscriptions'),
    pending_answers: gauge('open_bank_graphql_pending_answers'),
    services,
    heartbeat_control: heartbeatControl,
  };
}
