// What other packages (the browser test, the benchmark) may use of the app: the test ids it renders.

export {
  type BenchCategory,
  type BenchPoint,
  type BenchReport,
  type BenchRunInfo,
  type BenchSummary,
  benchChartSpecs,
  type ChartSpec,
} from './lib/bench-report.ts';
export { formatCents } from './lib/euro.ts';
export { PAGE_TIMING_LIMIT, type PageTiming, PageTimings } from './lib/page-timing.ts';
export { DEPOSIT_EUROS, type DepositEuro, TestIds } from './test-ids.ts';
