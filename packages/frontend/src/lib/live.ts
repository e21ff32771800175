import type { LiveFigures } from '@open-bank/contract';

/** What LIVE_METRICS_SUBSCRIPTION selects of the endpoint's LiveFigures. */
export type LiveMetrics = Omit<LiveFigures, 'commands' | 'db_transaction_retries_per_second'>;

export const LIVE_METRICS_SUBSCRIPTION = `subscription LiveMetrics {
  live_metrics {
    at window_seconds commands_per_second generated_per_second heartbeats_per_second heartbeat_target_per_second
    latency_p50_ms latency_p99_ms latency_source
    hops { hop per_second p50_ms p99_ms }
    lag { service topic lag }
    dead_lettered_per_second kafka_transaction_retries_per_second websockets subscriptions pending_answers
    services { name up cpu_percent memory_mb }
    heartbeat_control
  }
}`;

export const SET_HEARTBEAT_RATE = `mutation SetHeartbeatRate($perSecond: Int!) {
  set_heartbeat_rate(per_second: $perSecond) { batch_size interval_ms per_second }
}`;

/** One point of the charts' history. */
export interface LivePoint {
  /** Seconds since the first point. */
  readonly t: number;
  readonly commands: number;
  readonly heartbeats: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly lag: number;
}

/** About two minutes at one figure every two seconds. */
export const HISTORY_POINTS = 60;

export function totalLag(m: LiveMetrics): number {
  return m.lag.reduce((n, l) => n + l.lag, 0);
}

/** The history with the new figures appended, the oldest dropped past `max`; time counts from `origin`. */
export function appendPoint(
  history: readonly LivePoint[],
  m: LiveMetrics,
  origin: number,
  max = HISTORY_POINTS,
): LivePoint[] {
  const point: LivePoint = {
    t: Math.round((Date.parse(m.at) - origin) / 100) / 10,
    commands: m.commands_per_second,
    heartbeats: m.heartbeats_per_second,
    p50: m.latency_p50_ms,
    p99: m.latency_p99_ms,
    lag: totalLag(m),
  };
  const next = [...history, point];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** A rate for a tile: whole numbers from 10 up, one decimal below. */
export function formatRate(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  return n >= 10 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** Milliseconds for a tile: '–' without observations, seconds from 10 s up. */
export function formatMs(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '–';
  if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
  return n >= 10 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`;
}

/** The hops of the trace that have observations, in trace order. */
export function observedHops(m: LiveMetrics) {
  return m.hops.filter((h) => h.p50_ms !== null);
}
