import { HOP_METRIC } from '@open-bank/contract';
import { describe, expect, it } from 'vitest';
import { histogramQuantile, liveFigures, type Scrape } from './figures.ts';
import type { Sample } from './prom-text.ts';

const s = (name: string, value: number, labels: Record<string, string> = {}): Sample => ({
  name,
  labels,
  value,
});

/** Cumulative buckets of a histogram named `name`, from counts per bucket bound. */
function buckets(
  name: string,
  counts: Record<string, number>,
  labels: Record<string, string> = {},
): Sample[] {
  return Object.entries(counts).map(([le, n]) => s(`${name}_bucket`, n, { ...labels, le }));
}

describe('histogramQuantile', () => {
  const b = (entries: [number, number][]) => new Map(entries);
  it('interpolates inside the bucket holding the rank, as Prometheus does', () => {
    // 10 in (0, 0.1], 10 more in (0.1, 1].
    const h = b([
      [0.1, 10],
      [1, 20],
      [Number.POSITIVE_INFINITY, 20],
    ]);
    expect(histogramQuantile(0.5, h)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.25, h)).toBeCloseTo(0.05);
    expect(histogramQuantile(0.75, h)).toBeCloseTo(0.55);
  });
  it('answers the highest finite bound for ranks in +Inf, and null without observations', () => {
    const h = b([
      [1, 1],
      [Number.POSITIVE_INFINITY, 10],
    ]);
    expect(histogramQuantile(0.99, h)).toBe(1);
    expect(histogramQuantile(0.5, b([[1, 0]]))).toBeNull();
    expect(histogramQuantile(0.5, b([]))).toBeNull();
  });
});

describe('liveFigures', () => {
  const first: Scrape = {
    at: 10_000,
    targets: {
      'command-handler': [
        s('open_bank_commands_total', 100, { kind: 'transfer', answer: 'confirmed' }),
        s('open_bank_commands_total', 10, { kind: 'account', answer: 'confirmed' }),
        s('process_cpu_seconds_total', 5),
        ...buckets('open_bank_handling_seconds', { '0.01': 100, '0.1': 110, '+Inf': 110 }, { topic: 't' }),
        s('open_bank_messages_handled_total', 0, { topic: 't', outcome: 'undecodable' }),
      ],
      heartbeat: [s('open_bank_heartbeat_beats_sent_total', 1000)],
      'graphql-endpoint': [
        s('open_bank_graphql_websockets', 1),
        ...buckets(HOP_METRIC, { '0.1': 0, '1': 0, '+Inf': 0 }, { hop: 'total' }),
      ],
    },
  };
  const last: Scrape = {
    at: 14_000,
    targets: {
      'command-handler': [
        s('open_bank_commands_total', 500, { kind: 'transfer', answer: 'confirmed' }),
        s('open_bank_commands_total', 10, { kind: 'account', answer: 'confirmed' }),
        s('open_bank_commands_total', 8, { kind: 'transfer', answer: 'insufficient funds' }),
        s('process_cpu_seconds_total', 5.2),
        s('process_resident_memory_bytes', 200 * 1024 * 1024),
        // 400 handled in the window: 300 within 10 ms, 100 within 100 ms.
        ...buckets('open_bank_handling_seconds', { '0.01': 400, '0.1': 510, '+Inf': 510 }, { topic: 't' }),
        s('open_bank_consumer_lag', 3, { topic: 'confirm_money_transfer', partition: '0' }),
        s('open_bank_consumer_lag', 4, { topic: 'confirm_money_transfer', partition: '1' }),
        s('open_bank_messages_handled_total', 8, { topic: 't', outcome: 'undecodable' }),
      ],
      heartbeat: [s('open_bank_heartbeat_beats_sent_total', 1400)],
      'graphql-endpoint': [
        s('open_bank_graphql_websockets', 2),
        s('open_bank_graphql_pending_answers', 1, { command: 'account' }),
        s('open_bank_graphql_pending_answers', 2, { command: 'transfer' }),
        ...buckets(HOP_METRIC, { '0.1': 0, '1': 0, '+Inf': 0 }, { hop: 'total' }),
      ],
      'command-generator': null,
    },
  };

  it('turns counter growth into rates, gauges into sums and reports who is down', () => {
    const f = liveFigures([first, last], { batchSize: 10, intervalMs: 100 }, true);
    expect(f.window_seconds).toBe(4);
    expect(f.commands_per_second).toBe(100);
    // A label set that first shows up in the window has no earlier value: not counted yet.
    expect(f.commands).toEqual([
      { kind: 'account', outcome: 'confirmed', per_second: 0 },
      { kind: 'transfer', outcome: 'confirmed', per_second: 100 },
      { kind: 'transfer', outcome: 'insufficient funds', per_second: 0 },
    ]);
    expect(f.heartbeats_per_second).toBe(100);
    expect(f.heartbeat_target_per_second).toBe(100);
    expect(f.dead_lettered_per_second).toBe(2);
    expect(f.lag).toEqual([{ service: 'command-handler', topic: 'confirm_money_transfer', lag: 7 }]);
    expect(f.websockets).toBe(2);
    expect(f.pending_answers).toBe(3);
    expect(f.heartbeat_control).toBe(true);
    expect(f.services).toContainEqual({ name: 'command-handler', up: true, cpu_percent: 5, memory_mb: 200 });
    expect(f.services).toContainEqual({
      name: 'command-generator',
      up: false,
      cpu_percent: null,
      memory_mb: null,
    });
  });

  it('takes the latency from command handling until the hop total has observations', () => {
    const f = liveFigures([first, last], null, false);
    expect(f.latency_source).toBe('command handling');
    // Rank 200 of 400 falls in (0, 10 ms] where 300 are: 200/300 of 10 ms.
    expect(f.latency_p50_ms).toBeCloseTo(6.67, 1);
    expect(f.latency_p99_ms).toBeCloseTo(96.4, 1);
    expect(f.heartbeat_target_per_second).toBeNull();

    const withTotal: Scrape = {
      ...last,
      targets: {
        ...last.targets,
        'graphql-endpoint': buckets(HOP_METRIC, { '0.1': 4, '1': 8, '+Inf': 8 }, { hop: 'total' }),
      },
    };
    const g = liveFigures([first, withTotal], null, false);
    expect(g.latency_source).toBe('hop total');
    expect(g.latency_p50_ms).toBe(100);
    const total = g.hops.find((h) => h.hop === 'total');
    expect(total).toEqual({ hop: 'total', per_second: 2, p50_ms: 100, p99_ms: 982 });
    expect(g.hops.find((h) => h.hop === 'command_sent')).toEqual({
      hop: 'command_sent',
      per_second: 0,
      p50_ms: null,
      p99_ms: null,
    });
  });

  it('counts a restarted counter from zero and needs no rate from a single scrape', () => {
    const restarted: Scrape = {
      at: 14_000,
      targets: { heartbeat: [s('open_bank_heartbeat_beats_sent_total', 40)] },
    };
    expect(liveFigures([first, restarted], null, false).heartbeats_per_second).toBe(10);
    const one = liveFigures([first], null, false);
    expect(one.window_seconds).toBe(0);
    expect(one.commands_per_second).toBe(0);
    expect(() => liveFigures([], null, false)).toThrow(RangeError);
  });
});
