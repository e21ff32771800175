import { describe, expect, it } from 'vitest';
import { groupBy, quantile, quantiles, summarize, summarizeBy } from './stats.ts';

describe('summarize', () => {
  it('gives mean, standard error, min and max', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s?.n).toBe(8);
    expect(s?.mean).toBe(5);
    // sample sd = sqrt(32/7); se = sd / sqrt(8)
    expect(s?.stderr).toBeCloseTo(Math.sqrt(32 / 7) / Math.sqrt(8), 10);
    expect(s?.min).toBe(2);
    expect(s?.max).toBe(9);
  });

  it('has no spread for one value and nothing for none', () => {
    expect(summarize([3])).toEqual({ n: 1, mean: 3, stderr: 0, min: 3, max: 3 });
    expect(summarize([])).toBeUndefined();
    expect(summarize([Number.NaN])).toBeUndefined();
  });
});

describe('grouping by load', () => {
  const rows = [
    { load: 50, ms: 300, cpu: 10 },
    { load: 0, ms: 100 },
    { load: 50, ms: 500 },
    { load: 0, ms: 200, cpu: 4 },
  ];

  it('orders groups by load', () => {
    expect(groupBy(rows, (r) => r.load).map(([k, g]) => [k, g.length])).toEqual([
      [0, 2],
      [50, 2],
    ]);
  });

  it('summarises each figure over the rows that carry it', () => {
    const out = summarizeBy(rows, (r) => r.load, { ms: (r) => r.ms, cpu: (r) => r.cpu });
    expect(out[0]).toMatchObject({ key: 0, rows: 2, figures: { ms: { mean: 150 }, cpu: { n: 1, mean: 4 } } });
    expect(out[1]?.figures.ms).toMatchObject({ mean: 400, min: 300, max: 500 });
    expect(out[1]?.figures.cpu?.n).toBe(1);
  });
});

describe('quantiles', () => {
  it('interpolate between the nearest ranks', () => {
    const xs = Array.from({ length: 11 }, (_, i) => i * 10); // 0, 10, …, 100
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.95)).toBe(95);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantiles([5])).toEqual({ p50: 5, p90: 5, p99: 5 });
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    // p99 of 20 values: 0.99 × 19 = 18.81 → between the 19th (19) and the 20th (20)
    expect(quantiles(twenty)?.p99).toBeCloseTo(19.81, 10);
  });
});
