import { describe, expect, it } from 'vitest';
import { appendPoint, formatMs, formatRate, type LiveMetrics, observedHops, totalLag } from './live.ts';

const figures = (at: string, commands: number): LiveMetrics => ({
  at,
  window_seconds: 4,
  commands_per_second: commands,
  generated_per_second: commands,
  heartbeats_per_second: commands,
  heartbeat_target_per_second: 100,
  latency_p50_ms: 12,
  latency_p99_ms: 250,
  latency_source: 'command handling',
  hops: [
    { hop: 'command_sent', per_second: 0, p50_ms: null, p99_ms: null },
    { hop: 'total', per_second: 3, p50_ms: 90, p99_ms: 300 },
  ],
  lag: [
    { service: 'a', topic: 'x', lag: 3 },
    { service: 'b', topic: 'y', lag: 4 },
  ],
  dead_lettered_per_second: 0,
  kafka_transaction_retries_per_second: 0,
  websockets: 1,
  subscriptions: 1,
  pending_answers: 0,
  services: [],
  heartbeat_control: false,
});

describe('the Live view helpers', () => {
  it('appends points with time from the origin and keeps the newest', () => {
    const origin = Date.parse('2026-01-01T00:00:00Z');
    let h = appendPoint([], figures('2026-01-01T00:00:02Z', 100), origin, 2);
    h = appendPoint(h, figures('2026-01-01T00:00:04Z', 110), origin, 2);
    h = appendPoint(h, figures('2026-01-01T00:00:06.25Z', 120), origin, 2);
    expect(h).toEqual([
      { t: 4, commands: 110, heartbeats: 110, p50: 12, p99: 250, lag: 7 },
      { t: 6.3, commands: 120, heartbeats: 120, p50: 12, p99: 250, lag: 7 },
    ]);
  });
  it('sums lag and keeps only observed hops', () => {
    const m = figures('2026-01-01T00:00:00Z', 1);
    expect(totalLag(m)).toBe(7);
    expect(observedHops(m).map((x) => x.hop)).toEqual(['total']);
  });
  it('formats rates and milliseconds for tiles', () => {
    expect(formatRate(1234.4)).toBe('1,234');
    expect(formatRate(2.345)).toBe('2.3');
    expect(formatRate(null)).toBe('–');
    expect(formatMs(null)).toBe('–');
    expect(formatMs(3.21)).toBe('3.2 ms');
    expect(formatMs(321.6)).toBe('322 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
  });
});
