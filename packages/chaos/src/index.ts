export { BankClients, errorKind } from './clients.ts';
export {
  type ChaosOptions,
  ChaosUsageError,
  DEFAULT_PORT_OFFSET,
  DEFAULT_PROFILE,
  parseChaosArgs,
  USAGE,
} from './options.ts';
export {
  failures,
  formatScenario,
  formatTable,
  type Progress,
  progressLine,
  type ReconcileOutcome,
  type ScenarioResult,
} from './report.ts';
export { type RunIo, type RunSettings, runChaos } from './runner.ts';
export {
  boundSeconds,
  faultCount,
  SCENARIO_NAMES,
  type Scenario,
  type ScenarioName,
  SHORT_SET,
  type Step,
  scenario,
  selectScenarios,
} from './scenarios.ts';
export { type ClientRequest, type Fault, type Figures, maxGap, Tally, type Window } from './tally.ts';
