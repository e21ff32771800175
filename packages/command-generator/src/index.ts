export { type CommandGeneratorConfig, commandGeneratorConfigSpec } from './config.ts';
export { CommandGeneratorError, RebuildTimeoutError } from './errors.ts';
export {
  ALBERT_HEIJN,
  CASH_AMOUNTS,
  COMPANY_ACCOUNT,
  type Command,
  CommandGenerator,
  commandForBeat,
  createsAccount,
  KIND_SLOTS,
  type KnownAccount,
  KnownAccounts,
  kindOfSlot,
  type TransferKind,
  transferOf,
} from './generate.ts';
export { createHandler, type Encode, toOutgoing } from './handler.ts';
export { type Random, secureRandom } from './random.ts';
export { type RebuildOptions, readConfirmedAccounts } from './rebuild.ts';
export { type CommandGeneratorDeps, type RunningCommandGenerator, startCommandGenerator } from './service.ts';
