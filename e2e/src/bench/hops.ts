import { HOP_METRIC, HOPS } from '@open-bank/contract';
import {
  type Buckets,
  bucketsBy,
  deltaBuckets,
  histogramQuantile,
  mergeBuckets,
  totalOf,
} from './histogram.ts';
import { parsePrometheus } from './prometheus.ts';

/**
 * The trace's hops as the benchmark records them: each resource row gets, per hop, the median and p99 of
 * what every service observed in `open_bank_hop_seconds{hop}` since the previous resource row.
 */

/** One hop over one stretch of rows; null in a row when the hop had no observations then. */
export interface HopFigure {
  readonly n: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * The histograms behind a row's hop figures, so a report can merge the rows of one load exactly:
 * cumulative counts per hop at the finite bounds `leSeconds` and, last, +Inf (JSON has no Infinity).
 */
export interface HopHistograms {
  readonly leSeconds: readonly number[];
  readonly counts: Readonly<Record<string, readonly number[]>>;
}

/** Per service, per hop: the cumulative buckets one scrape of /metrics showed. */
export type HopScrape = ReadonlyMap<string, ReadonlyMap<string, Buckets>>;

export function hopsOfMetrics(metricsText: string): Map<string, Buckets> {
  return bucketsBy(parsePrometheus(metricsText), HOP_METRIC, 'hop');
}

const ms = (seconds: number) => Math.round(seconds * 1e6) / 1e3;

/** Figure of one histogram (e.g. the growth between two scrapes), or null without observations. */
export function hopFigure(b: Buckets | undefined): HopFigure | null {
  if (!b) return null;
  const n = totalOf(b);
  const p50 = histogramQuantile(0.5, b);
  const p99 = histogramQuantile(0.99, b);
  if (n <= 0 || p50 === null || p99 === null) return null;
  return { n, p50Ms: ms(p50), p99Ms: ms(p99) };
}

/** The growth of every hop from one scrape to the next, all services' growth of a hop merged. */
export function hopGrowth(before: HopScrape, after: HopScrape): Map<string, Buckets> {
  const perHop = new Map<string, Buckets[]>();
  for (const [service, hops] of after) {
    for (const [hop, b] of hops) {
      const d = deltaBuckets(before.get(service)?.get(hop), b);
      const list = perHop.get(hop) ?? [];
      list.push(d);
      perHop.set(hop, list);
    }
  }
  const out = new Map<string, Buckets>();
  for (const [hop, list] of perHop) {
    const m = mergeBuckets(list);
    if (m) out.set(hop, m);
  }
  return out;
}

/**
 * A row's hop fields from two scrapes: every hop of the trace (the contract's names, then any other a
 * service reports) with its figure or null, and the histograms that had observations.
 */
export function hopRowFields(
  before: HopScrape,
  after: HopScrape,
): { hops: Record<string, HopFigure | null>; hopHistograms?: HopHistograms } {
  const growth = hopGrowth(before, after);
  const names = [...HOPS, ...[...growth.keys()].filter((h) => !(HOPS as readonly string[]).includes(h))];
  const hops: Record<string, HopFigure | null> = {};
  const counts: Record<string, number[]> = {};
  let leSeconds: number[] | undefined;
  for (const hop of names) {
    const b = growth.get(hop);
    const f = hopFigure(b);
    hops[hop] = f;
    if (!b || !f) continue;
    const finite = b.le.filter((x) => Number.isFinite(x));
    // Every service uses the runtime's bounds; a histogram with others is kept as figures only.
    leSeconds ??= finite;
    if (finite.length === leSeconds.length && finite.every((x, i) => x === leSeconds?.[i]))
      counts[hop] = [...b.counts];
  }
  return leSeconds && Object.keys(counts).length > 0
    ? { hops, hopHistograms: { leSeconds, counts } }
    : { hops };
}

/** Buckets back from a row's stored histograms. */
export function storedBuckets(h: HopHistograms, hop: string): Buckets | undefined {
  const counts = h.counts[hop];
  if (!counts || counts.length !== h.leSeconds.length + 1) return undefined;
  return { le: [...h.leSeconds, Number.POSITIVE_INFINITY], counts };
}

/** Per hop, the figure over several rows' histograms together (the rows of one load in a report). */
export function mergedHopFigures(list: readonly HopHistograms[]): Record<string, HopFigure> {
  const perHop = new Map<string, Buckets[]>();
  for (const h of list) {
    for (const hop of Object.keys(h.counts)) {
      const b = storedBuckets(h, hop);
      if (b) perHop.set(hop, [...(perHop.get(hop) ?? []), b]);
    }
  }
  const out: Record<string, HopFigure> = {};
  for (const [hop, bs] of perHop) {
    const f = hopFigure(mergeBuckets(bs));
    if (f) out[hop] = f;
  }
  return out;
}
