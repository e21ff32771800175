import type { Sample } from './prometheus.ts';

/**
 * Prometheus histograms as the benchmark reads them: the cumulative bucket counts of one histogram family
 * per label value (the hop), their growth between two scrapes, and quantiles interpolated within buckets
 * the way Prometheus' histogram_quantile does.
 */

/** Cumulative counts by upper bound (seconds; the last is +Inf), ascending. */
export interface Buckets {
  readonly le: readonly number[];
  readonly counts: readonly number[];
}

/** Bucket series of `family` (without `_bucket`), grouped by the value of `label`. */
export function bucketsBy(samples: readonly Sample[], family: string, label: string): Map<string, Buckets> {
  const raw = new Map<string, Map<number, number>>();
  const name = `${family}_bucket`;
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label];
    const leText = s.labels.le;
    if (key === undefined || leText === undefined) continue;
    const le = leText === '+Inf' ? Number.POSITIVE_INFINITY : Number(leText);
    if (Number.isNaN(le)) continue;
    const m = raw.get(key) ?? new Map<number, number>();
    raw.set(key, m);
    // The same label value from several label sets (e.g. services) adds up.
    m.set(le, (m.get(le) ?? 0) + s.value);
  }
  const out = new Map<string, Buckets>();
  for (const [key, m] of raw) {
    const le = [...m.keys()].sort((a, b) => a - b);
    out.set(key, { le, counts: le.map((b) => m.get(b) ?? 0) });
  }
  return out;
}

/** Cumulative count at `bound`: the count of the largest bucket bound ≤ it (a lower bound if absent). */
function countAt(b: Buckets, bound: number): number {
  let c = 0;
  for (let i = 0; i < b.le.length; i++) {
    if ((b.le[i] as number) > bound) break;
    c = b.counts[i] as number;
  }
  return c;
}

/** Several histograms as one (the same hop observed by several services), over the union of their bounds. */
export function mergeBuckets(list: readonly Buckets[]): Buckets | undefined {
  if (list.length === 0) return undefined;
  const le = [...new Set(list.flatMap((b) => b.le))].sort((a, b) => a - b);
  return { le, counts: le.map((bound) => list.reduce((n, b) => n + countAt(b, bound), 0)) };
}

/**
 * What a histogram gained from `before` to `after`. A count that went down means the process restarted
 * (its counters began again from zero), so `after` itself is the growth, as Prometheus' rate() treats it.
 */
export function deltaBuckets(before: Buckets | undefined, after: Buckets): Buckets {
  if (!before) return after;
  const counts = after.le.map((bound, i) => (after.counts[i] as number) - countAt(before, bound));
  if (counts.some((c) => c < 0)) return after;
  return { le: after.le, counts };
}

/** Observations in a histogram: the +Inf bucket's count (or the last bucket's). */
export function totalOf(b: Buckets): number {
  return b.counts.at(-1) ?? 0;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of a histogram, interpolated linearly within the bucket it falls in, as
 * Prometheus' histogram_quantile: the first bucket starts at 0, a quantile in the +Inf bucket is the largest
 * finite bound. Null when the histogram holds no observations.
 */
export function histogramQuantile(q: number, b: Buckets): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within 0..1, got ${q}`);
  const n = b.le.length;
  if (n === 0 || b.le[n - 1] !== Number.POSITIVE_INFINITY) return null;
  const total = totalOf(b);
  if (!(total > 0)) return null;
  const rank = q * total;
  let i = 0;
  while (i < n - 1 && (b.counts[i] as number) < rank) i++;
  if (i === n - 1) return n >= 2 ? (b.le[n - 2] as number) : null;
  const upper = b.le[i] as number;
  if (i === 0 && upper <= 0) return upper;
  const lower = i === 0 ? 0 : (b.le[i - 1] as number);
  const below = i === 0 ? 0 : (b.counts[i - 1] as number);
  const inBucket = (b.counts[i] as number) - below;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}
