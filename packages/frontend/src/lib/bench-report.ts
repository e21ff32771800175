import { HOP_PATH } from '@open-bank/contract';

/**
 * The benchmark report's data (what `pnpm bench:report` writes as JSON beside its HTML page, and what the
 * Background view loads as `bench-results.json`), and the charts drawn from it. The chart definitions are
 * plain JSON handed to Chart.js, so the HTML report and the app draw exactly the same charts.
 */

export interface BenchSummary {
  readonly n: number;
  readonly mean: number;
  readonly stderr: number;
  readonly min: number;
  readonly max: number;
}

export interface BenchQuantiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** One hop of the trace at one load: its histograms over the load's resource rows, merged. */
export interface BenchHop {
  readonly n: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The page's own parts of an interaction (ms), as the page timed them. */
export const PAGE_PARTS = {
  clickToSent: 'page: click → request sent',
  pushToRendered: 'page: balance change received → in the DOM',
  clickToAnswer: 'page: click → answer received',
  clickToPush: 'page: click → balance change received',
} as const;
export type PagePart = keyof typeof PAGE_PARTS;

/** Every figure at one additional load, over all rows of a category's runs at that load. */
export interface BenchPoint {
  readonly load: number;
  /** Rows (interactions) at this load. */
  readonly rows: number;
  /** The driver's figure: from its click until the browser reported the new balance. */
  readonly latencyMs: BenchSummary;
  readonly latencyQuantiles?: BenchQuantiles;
  /** In-page: the click event until the page saw the new balance (absent for runs before it was measured). */
  readonly inPageMs?: BenchSummary;
  readonly inPageQuantiles?: BenchQuantiles;
  /** Median and mean of each of the page's own parts. */
  readonly page?: Readonly<Partial<Record<PagePart, BenchSummary & { readonly p50: number }>>>;
  /** Per hop of the trace (absent for runs before hops were recorded, empty until the services record them). */
  readonly hops?: Readonly<Record<string, BenchHop>>;
  readonly timeouts: number;
  /** Per component: CPU % (100 = one core) and resident memory in MiB. */
  readonly cpu: Readonly<Record<string, BenchSummary>>;
  readonly memoryMiB: Readonly<Record<string, BenchSummary>>;
  readonly lag: Readonly<Record<string, BenchSummary>>;
}

export interface BenchRunInfo {
  readonly name: string;
  readonly category: string;
  readonly startedAt: string;
  readonly commit: string | undefined;
  readonly machine: string;
  readonly loops: number;
  readonly timeouts: number;
  readonly maxLoad: number;
  /** What the run ran on and how (implied for runs from before the header recorded it). */
  readonly kafkaClient?: string;
  readonly brokers?: number;
  readonly mode?: string;
  readonly preset?: string;
  /** Why the run ended (absent for a run cut short). */
  readonly endReason?: string;
  /** The command handler's start when the run began: ms until serving and until its group joined. */
  readonly handlerStartMs?: { readonly serving: number; readonly joined?: number };
}

/** What all runs of a category ran on; `mixed` where they differ. */
export interface BenchSetup {
  readonly kafkaClient: string;
  readonly brokers: string;
  readonly mode: string;
  readonly preset: string;
}

export interface BenchCategory {
  readonly name: string;
  readonly runs: readonly string[];
  readonly maxLoad: BenchSummary | undefined;
  readonly points: readonly BenchPoint[];
  readonly setup?: BenchSetup;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly components: readonly string[];
  readonly runs: readonly BenchRunInfo[];
  readonly categories: readonly BenchCategory[];
}

/** A Chart.js configuration with nothing but JSON in it (no callbacks), so it can travel in a file. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly type: 'line' | 'bar';
  readonly data: {
    /** For a bar chart with one bar per label (the loads) rather than a linear axis. */
    readonly labels?: readonly string[];
    readonly datasets: readonly {
      readonly label: string;
      readonly data: readonly { readonly x: number | string; readonly y: number }[];
      readonly borderColor: string;
      readonly backgroundColor: string;
      readonly borderDash?: readonly number[];
      readonly pointRadius?: number;
      readonly fill?: boolean | string;
      readonly showLine?: boolean;
      readonly stack?: string;
    }[];
  };
  readonly options: Record<string, unknown>;
}

const COLOURS = [
  '#00d1b2',
  '#485fc7',
  '#f14668',
  '#ffb70f',
  '#3e8ed0',
  '#9b59b6',
  '#2c3e50',
  '#e67e22',
  '#48c78e',
  '#7f8c8d',
  '#c0392b',
  '#16a085',
];

const colour = (i: number) => COLOURS[i % COLOURS.length] as string;
const faded = (hex: string) => `${hex}33`;
const half = (hex: string) => `${hex}99`;

function axes(yTitle: string, yMax?: number): Record<string, unknown> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    parsing: false,
    interaction: { mode: 'nearest', intersect: false },
    plugins: { legend: { position: 'bottom' } },
    scales: {
      x: { type: 'linear', title: { display: true, text: 'additional load (messages/s)' }, min: 0 },
      y: { type: 'linear', title: { display: true, text: yTitle }, min: 0, ...(yMax ? { max: yMax } : {}) },
    },
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** p50 and p99 against load, in-page (solid) and as the driver measured it (dashed). */
function latencyQuantilesSpec(cats: readonly BenchCategory[]): ChartSpec | undefined {
  const datasets: ChartSpec['data']['datasets'][number][] = [];
  cats.forEach((c, i) => {
    const series = [
      ['in-page p50', (p: BenchPoint) => p.inPageQuantiles?.p50, false, 2],
      ['in-page p99', (p: BenchPoint) => p.inPageQuantiles?.p99, false, 0],
      ['driver p50', (p: BenchPoint) => p.latencyQuantiles?.p50, true, 2],
      ['driver p99', (p: BenchPoint) => p.latencyQuantiles?.p99, true, 0],
    ] as const;
    for (const [what, get, dashed, radius] of series) {
      const data = c.points.flatMap((p) => {
        const y = get(p);
        return y === undefined ? [] : [{ x: p.load, y: round1(y) }];
      });
      if (data.length === 0) continue;
      const strong = what.endsWith('p50');
      datasets.push({
        label: `${c.name} ${what}`,
        data,
        borderColor: strong ? colour(i) : half(colour(i)),
        backgroundColor: strong ? colour(i) : faded(colour(i)),
        ...(dashed ? { borderDash: [6, 3] } : {}),
        pointRadius: radius,
      });
    }
  });
  if (datasets.length === 0) return undefined;
  return {
    id: 'latency-quantiles',
    title: 'Interaction latency p50 and p99 (ms): in-page (solid) and as the driver measured it (dashed)',
    type: 'line',
    data: { datasets },
    options: axes('latency (ms)'),
  };
}

/** The segments of the "where the time goes" chart, bottom to top, with how to read each from a point. */
export function timeSegments(): { label: string; get: (p: BenchPoint) => number | undefined }[] {
  return [
    { label: PAGE_PARTS.clickToSent, get: (p) => p.page?.clickToSent?.p50 },
    ...HOP_PATH.map((hop) => ({ label: hop, get: (p: BenchPoint) => p.hops?.[hop]?.p50Ms })),
    { label: PAGE_PARTS.pushToRendered, get: (p) => p.page?.pushToRendered?.p50 },
  ];
}

/** What the measured medians leave of the in-page median: network, proxy and whatever no hop covers. */
export function unmeasuredMs(p: BenchPoint): number | undefined {
  const total = p.inPageQuantiles?.p50;
  if (total === undefined) return undefined;
  const known = timeSegments().reduce((sum, s) => sum + (s.get(p) ?? 0), 0);
  return Math.max(0, total - known);
}

/** Per load, the medians of the page's parts and of each hop stacked: where an interaction's time goes. */
function hopChartSpec(c: BenchCategory, prefixed: boolean): ChartSpec | undefined {
  const points = c.points.filter((p) => p.page !== undefined || p.hops !== undefined);
  if (points.length === 0) return undefined;
  const labels = points.map((p) => String(p.load));
  const segments = [
    ...timeSegments(),
    { label: 'rest of the in-page median (network, proxy, unmeasured)', get: unmeasuredMs },
  ];
  const datasets = segments.flatMap((seg, i) => {
    const data = points.flatMap((p) => {
      const y = seg.get(p);
      return y === undefined ? [] : [{ x: String(p.load), y: round1(y) }];
    });
    if (data.length === 0) return [];
    // The page's parts dark, the hops in the palette, the unmeasured rest light grey.
    const fill =
      i === segments.length - 1
        ? '#dbdbdb'
        : i === 0 || i === segments.length - 2
          ? (['#2c3e50', '#7f8c8d'][i === 0 ? 0 : 1] as string)
          : colour(i - 1);
    return [{ label: seg.label, data, borderColor: fill, backgroundColor: fill, stack: 'median' }];
  });
  return {
    id: `hops-${c.name}`,
    title: `${prefixed ? `${c.name}: ` : ''}Where the time goes: median of each part (ms) at each additional load`,
    type: 'bar',
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom' } },
      scales: {
        x: {
          type: 'category',
          stacked: true,
          title: { display: true, text: 'additional load (messages/s)' },
        },
        y: { type: 'linear', stacked: true, min: 0, title: { display: true, text: 'median (ms)' } },
      },
    },
  };
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '–' : n.toFixed(digits));
const meanSe = (s: BenchSummary | undefined) =>
  s === undefined ? '–' : `${s.mean.toFixed(0)} ± ${s.stderr.toFixed(0)}`;

/** The latency table of a category: p50/p90/p99 beside mean ± standard error, in-page and driver. */
export function latencyTable(c: BenchCategory): { head: string[]; rows: string[][] } {
  return {
    head: [
      'load (msg/s)',
      'interactions',
      'in-page p50',
      'p90',
      'p99',
      'mean ± s.e.',
      'driver p50',
      'p90',
      'p99',
      'mean ± s.e.',
      'time-outs',
    ],
    rows: c.points.map((p) => [
      String(p.load),
      String(p.rows),
      fmt(p.inPageQuantiles?.p50),
      fmt(p.inPageQuantiles?.p90),
      fmt(p.inPageQuantiles?.p99),
      meanSe(p.inPageMs),
      fmt(p.latencyQuantiles?.p50),
      fmt(p.latencyQuantiles?.p90),
      fmt(p.latencyQuantiles?.p99),
      meanSe(p.latencyMs),
      String(p.timeouts),
    ]),
  };
}

/** A category's setup in words, e.g. `kafkajs, 1 broker, ramp original`. */
export function describeSetup(s: BenchSetup | undefined): string {
  if (!s) return '–';
  const brokers = s.brokers === '1' ? '1 broker' : `${s.brokers} brokers`;
  return `${s.kafkaClient}, ${brokers}, ${s.mode}${s.preset === s.mode ? '' : ` ${s.preset}`}`;
}

/**
 * The report's charts: latency against load (mean, with min and max dashed), CPU and memory of each
 * component against load (one chart per category and figure, mean per load), and data points per load.
 */
export function benchChartSpecs(report: BenchReport): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const cats = report.categories.filter((c) => c.points.length > 0);
  if (cats.length === 0) return specs;
  specs.push({
    id: 'latency',
    title: 'Interaction latency (ms) against additional load',
    type: 'line',
    data: {
      datasets: cats.flatMap((c, i) => [
        {
          label: `${c.name} mean`,
          data: c.points.map((p) => ({ x: p.load, y: Math.round(p.latencyMs.mean) })),
          borderColor: colour(i),
          backgroundColor: colour(i),
          pointRadius: 2,
        },
        {
          label: `${c.name} min`,
          data: c.points.map((p) => ({ x: p.load, y: p.latencyMs.min })),
          borderColor: faded(colour(i)),
          backgroundColor: faded(colour(i)),
          borderDash: [4, 4],
          pointRadius: 0,
        },
        {
          label: `${c.name} max`,
          data: c.points.map((p) => ({ x: p.load, y: p.latencyMs.max })),
          borderColor: faded(colour(i)),
          backgroundColor: faded(colour(i)),
          borderDash: [4, 4],
          pointRadius: 0,
          fill: '-1',
        },
      ]),
    },
    options: axes('latency (ms)'),
  });
  const quantileSpec = latencyQuantilesSpec(cats);
  if (quantileSpec) specs.push(quantileSpec);
  for (const c of cats) {
    const hops = hopChartSpec(c, cats.length > 1);
    if (hops) specs.push(hops);
  }
  for (const c of cats) {
    const prefix = cats.length > 1 ? `${c.name}: ` : '';
    for (const [figure, title, unit] of [
      ['cpu', 'CPU per component', 'CPU % (100 = one core)'],
      ['memoryMiB', 'Resident memory per component', 'memory (MiB)'],
    ] as const) {
      const withData = report.components.filter((comp) => c.points.some((p) => p[figure][comp]));
      if (withData.length === 0) continue;
      specs.push({
        id: `${figure}-${c.name}`,
        title: `${prefix}${title} against additional load`,
        type: 'line',
        data: {
          datasets: withData.map((comp, i) => ({
            label: comp,
            data: c.points.flatMap((p) => {
              const s = p[figure][comp];
              return s ? [{ x: p.load, y: Math.round(s.mean * 10) / 10 }] : [];
            }),
            borderColor: colour(i),
            backgroundColor: colour(i),
            pointRadius: 2,
          })),
        },
        options: axes(unit),
      });
    }
  }
  specs.push({
    id: 'rows',
    title: 'Data points (interactions) per additional load',
    type: 'bar',
    data: {
      datasets: cats.map((c, i) => ({
        label: c.name,
        data: c.points.map((p) => ({ x: p.load, y: p.rows })),
        borderColor: colour(i),
        backgroundColor: faded(colour(i)),
      })),
    },
    options: axes('interactions'),
  });
  return specs;
}
