// What other packages (the browser test, the benchmark) may use of the app: the test ids it renders.

export {
  type BenchCategory,
  type BenchHop,
  type BenchPoint,
  type BenchQuantiles,
  type BenchReport,
  type BenchRunInfo,
  type BenchSetup,
  type BenchSummary,
  benchChartSpecs,
  type ChartSpec,
  describeSetup,
  latencyTable,
  PAGE_PARTS,
  type PagePart,
  timeSegments,
  unmeasuredMs,
} from './lib/bench-report.ts';
export { formatCents } from './lib/euro.ts';
export { PAGE_TIMING_LIMIT, type PageTiming, PageTimings } from './lib/page-timing.ts';
export { DEPOSIT_EUROS, type DepositEuro, TestIds } from './test-ids.ts';
