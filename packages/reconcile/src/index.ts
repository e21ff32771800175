export {
  FindingKind,
  type FindingSummary,
  findingKinds,
  type Position,
  Reconciler,
  type ReconcilerOptions,
  type Report,
  type TransactionRow,
} from './check.ts';
export { BALANCE_DB, type ReconcileConfig, reconcileConfigSpec, TRANSACTION_DB } from './config.ts';
export { lagging, type Positions, type Watched } from './consistent.ts';
export * from './errors.ts';
export { formatReport } from './format.ts';
export { type ReconcileOptions, type ReconcileResult, reconcile } from './reconcile.ts';
export {
  type FinalAccount,
  type HistoryItem,
  type HistoryOptions,
  seededRandom,
  syntheticHistory,
} from './synthetic.ts';
