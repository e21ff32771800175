import { describe, expect, it } from 'vitest';
import { bucketsBy, deltaBuckets, histogramQuantile, mergeBuckets, totalOf } from './histogram.ts';
import { parsePrometheus } from './prometheus.ts';

const INF = Number.POSITIVE_INFINITY;
const metrics = `# HELP open_bank_hop_seconds Seconds
# TYPE open_bank_hop_seconds histogram
open_bank_hop_seconds_bucket{le="0.001",hop="command_sent",service="graphql-endpoint"} 2
open_bank_hop_seconds_bucket{le="0.01",hop="command_sent",service="graphql-endpoint"} 6
open_bank_hop_seconds_bucket{le="+Inf",hop="command_sent",service="graphql-endpoint"} 8
open_bank_hop_seconds_sum{hop="command_sent",service="graphql-endpoint"} 0.5
open_bank_hop_seconds_count{hop="command_sent",service="graphql-endpoint"} 8
open_bank_hop_seconds_bucket{le="0.001",hop="command_sent",service="command-generator"} 1
open_bank_hop_seconds_bucket{le="0.01",hop="command_sent",service="command-generator"} 1
open_bank_hop_seconds_bucket{le="+Inf",hop="command_sent",service="command-generator"} 1
open_bank_handling_seconds_bucket{le="0.001",topic="x"} 5
`;

describe('histograms from /metrics', () => {
  it('reads the buckets of one family per label value, adding up label sets', () => {
    const b = bucketsBy(parsePrometheus(metrics), 'open_bank_hop_seconds', 'hop');
    expect([...b.keys()]).toEqual(['command_sent']);
    expect(b.get('command_sent')).toEqual({ le: [0.001, 0.01, INF], counts: [3, 7, 9] });
  });

  it('interpolates quantiles within buckets as histogram_quantile does', () => {
    const b = { le: [0.001, 0.01, 0.1, INF], counts: [10, 30, 40, 40] };
    // rank 20 lies half-way through the second bucket (10 → 30): 0.001 + 0.009 × 0.5
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.0055, 10);
    // rank 4 in the first bucket, which starts at 0
    expect(histogramQuantile(0.1, b)).toBeCloseTo(0.0004, 10);
    expect(histogramQuantile(1, b)).toBeCloseTo(0.1, 10);
    expect(histogramQuantile(0, b)).toBe(0);
  });

  it('answers the largest finite bound for a quantile in the +Inf bucket, null without observations', () => {
    expect(histogramQuantile(0.99, { le: [0.001, 0.01, INF], counts: [1, 2, 100] })).toBe(0.01);
    expect(histogramQuantile(0.5, { le: [0.001, INF], counts: [0, 0] })).toBeNull();
    expect(histogramQuantile(0.5, { le: [], counts: [] })).toBeNull();
    expect(() => histogramQuantile(1.5, { le: [INF], counts: [1] })).toThrow(RangeError);
  });

  it('takes the growth between two scrapes, and a restarted process from zero', () => {
    const before = { le: [0.001, INF], counts: [3, 5] };
    const after = { le: [0.001, INF], counts: [4, 9] };
    expect(deltaBuckets(before, after)).toEqual({ le: [0.001, INF], counts: [1, 4] });
    expect(deltaBuckets(undefined, after)).toBe(after);
    const restarted = { le: [0.001, INF], counts: [1, 1] };
    expect(deltaBuckets(after, restarted)).toBe(restarted);
  });

  it('merges histograms over the union of their bounds', () => {
    const m = mergeBuckets([
      { le: [0.001, INF], counts: [1, 2] },
      { le: [0.001, 0.01, INF], counts: [1, 3, 4] },
    ]);
    expect(m).toEqual({ le: [0.001, 0.01, INF], counts: [2, 4, 6] });
    expect(totalOf(m ?? { le: [], counts: [] })).toBe(6);
    expect(mergeBuckets([])).toBeUndefined();
  });
});
