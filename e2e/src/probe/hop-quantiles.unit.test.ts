import { describe, expect, it } from 'vitest';
import { parsePrometheus } from '../bench/prometheus.ts';
import { bucketDelta, hopBuckets, quantile } from './hop-quantiles.ts';

const scrape = (n: [number, number, number]) =>
  parsePrometheus(
    [
      `open_bank_hop_seconds_bucket{hop="command_fetched",le="0.001",service="a"} ${n[0]}`,
      `open_bank_hop_seconds_bucket{hop="command_fetched",le="0.01",service="a"} ${n[1]}`,
      `open_bank_hop_seconds_bucket{hop="command_fetched",le="+Inf",service="a"} ${n[2]}`,
      'open_bank_other_bucket{le="0.01"} 9',
    ].join('\n'),
  );

describe('hop quantiles from histogram buckets', () => {
  it('interpolates inside the bucket a quantile falls in, as histogram_quantile does', () => {
    const b = hopBuckets(scrape([0, 10, 10])).get('command_fetched');
    expect(b).toBeDefined();
    expect(quantile(b as Map<number, number>, 0.5)).toBeCloseTo(0.0055, 6);
    expect(quantile(b as Map<number, number>, 0.99)).toBeCloseTo(0.00991, 6);
  });

  it('takes only what was observed between two scrapes, and has no quantile without observations', () => {
    const before = hopBuckets(scrape([4, 4, 4])).get('command_fetched');
    const after = hopBuckets(scrape([4, 8, 8])).get('command_fetched') as Map<number, number>;
    const delta = bucketDelta(after, before);
    expect(quantile(delta, 0.5)).toBeCloseTo(0.0055, 6);
    expect(quantile(bucketDelta(after, after), 0.5)).toBeUndefined();
  });

  it('answers the highest finite bound when the quantile lies in the +Inf bucket', () => {
    const b = hopBuckets(scrape([0, 1, 10])).get('command_fetched') as Map<number, number>;
    expect(quantile(b, 0.9)).toBe(0.01);
  });
});
