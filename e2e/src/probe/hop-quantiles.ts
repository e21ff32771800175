import { HOP_METRIC } from '@open-bank/contract';
import type { Sample } from '../bench/prometheus.ts';

/** Cumulative bucket counts of one hop: upper bound → count. */
export type Buckets = Map<number, number>;

/** The hop histograms' buckets in a scrape, per hop (summed over services and other labels). */
export function hopBuckets(samples: readonly Sample[]): Map<string, Buckets> {
  const out = new Map<string, Buckets>();
  for (const s of samples) {
    if (s.name !== `${HOP_METRIC}_bucket`) continue;
    const hop = s.labels.hop;
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    if (!hop || Number.isNaN(le)) continue;
    let b = out.get(hop);
    if (!b) {
      b = new Map();
      out.set(hop, b);
    }
    b.set(le, (b.get(le) ?? 0) + s.value);
  }
  return out;
}

/** What was observed between two scrapes. */
export function bucketDelta(after: Buckets, before: Buckets | undefined): Buckets {
  const out: Buckets = new Map();
  for (const [le, n] of after) out.set(le, Math.max(0, n - (before?.get(le) ?? 0)));
  return out;
}

/**
 * The q-quantile of cumulative buckets, interpolated linearly inside the bucket it falls in, as Prometheus'
 * histogram_quantile does; undefined without observations.
 */
export function quantile(buckets: Buckets, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Number.POSITIVE_INFINITY) ?? buckets.get(bounds.at(-1) ?? 0) ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const le of bounds) {
    const count = buckets.get(le) ?? 0;
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
