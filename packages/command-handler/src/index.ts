export {
  type CommandHandlerConfig,
  commandHandlerConfigSpec,
  DB_NAME,
  DB_USER,
  GROUP_ID,
} from './config.ts';
export {
  type Account,
  type AccountGenerators,
  decideAccountCreation,
  decideTransfer,
  decideTransfers,
  FailureReason,
  type Transfer,
} from './decide.ts';
export { CommandHandlerError, DatabaseError, StoredAnswerError } from './errors.ts';
export { RELAY_TRANSACTIONAL_ID } from './relay.ts';
export { type CommandHandler, type CommandHandlerDeps, startCommandHandler } from './service.ts';
