export { helpText, parseArgs, verdict } from './cli.ts';
export { type SynchronizerConfig, synchronizerConfigSpec } from './config.ts';
export {
  ClusterReadError,
  SynchronizerError,
  UsageError,
  WaitTimeoutError,
} from './errors.ts';
export { describeAction, describeFinding, formatPlan } from './format.ts';
export {
  type Action,
  type ClusterState,
  type CurrentTopic,
  type Finding,
  isInSync,
  type Plan,
  planSync,
  type SubjectState,
} from './plan.ts';
export { type ActionOutcome, type SynchronizeOptions, type SyncResult, synchronize } from './synchronize.ts';
