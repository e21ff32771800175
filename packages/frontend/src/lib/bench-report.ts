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

/** Every figure at one additional load, over all rows of a category's runs at that load. */
export interface BenchPoint {
  readonly load: number;
  /** Rows (interactions) at this load. */
  readonly rows: number;
  readonly latencyMs: BenchSummary;
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
}

export interface BenchCategory {
  readonly name: string;
  readonly runs: readonly string[];
  readonly maxLoad: BenchSummary | undefined;
  readonly points: readonly BenchPoint[];
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
    readonly datasets: readonly {
      readonly label: string;
      readonly data: readonly { readonly x: number; readonly y: number }[];
      readonly borderColor: string;
      readonly backgroundColor: string;
      readonly borderDash?: readonly number[];
      readonly pointRadius?: number;
      readonly fill?: boolean | string;
      readonly showLine?: boolean;
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
