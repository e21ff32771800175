/** Mean, standard error, min and max of one figure over the rows of one load. */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Standard error of the mean (sample standard deviation / √n); 0 for a single value. */
  readonly stderr: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary | undefined {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return undefined;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  let sq = 0;
  for (const x of xs) sq += (x - mean) ** 2;
  const stderr = n > 1 ? Math.sqrt(sq / (n - 1)) / Math.sqrt(n) : 0;
  return { n, mean, stderr, min, max };
}

/** Groups rows by a key (the additional load), in ascending key order. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => number): [number, T[]][] {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const g = groups.get(k);
    if (g) g.push(row);
    else groups.set(k, [row]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]);
}

/** Per key, a summary of each named figure the rows carry (figures missing from every row are left out). */
export function summarizeBy<T>(
  rows: readonly T[],
  key: (row: T) => number,
  figures: Readonly<Record<string, (row: T) => number | undefined>>,
): { key: number; rows: number; figures: Record<string, Summary> }[] {
  return groupBy(rows, key).map(([k, group]) => {
    const out: Record<string, Summary> = {};
    for (const [name, get] of Object.entries(figures)) {
      const s = summarize(group.map(get).filter((v): v is number => v !== undefined));
      if (s) out[name] = s;
    }
    return { key: k, rows: group.length, figures: out };
  });
}

/** p50, p90 and p99 of one figure. */
export interface Quantiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/**
 * The q-quantile of the values, interpolated linearly between the two nearest ranks (what spreadsheets and
 * NumPy answer by default): with 20 values, p99 lies between the largest two.
 */
export function quantile(values: readonly number[], q: number): number | undefined {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const at = Math.min(Math.max(q, 0), 1) * (xs.length - 1);
  const lo = Math.floor(at);
  const lower = xs[lo] as number;
  const upper = xs[Math.min(lo + 1, xs.length - 1)] as number;
  return lower + (upper - lower) * (at - lo);
}

export function quantiles(values: readonly number[]): Quantiles | undefined {
  const p50 = quantile(values, 0.5);
  if (p50 === undefined) return undefined;
  return { p50, p90: quantile(values, 0.9) as number, p99: quantile(values, 0.99) as number };
}
