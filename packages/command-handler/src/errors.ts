import { OpenBankError } from '@open-bank/contract';

/** Base of the command handler's errors; the codes travel on dead-letter headers. */
export class CommandHandlerError extends OpenBankError<
  'DATABASE' | 'STORED_ANSWER_INVALID' | 'RELAY_ROUND_TIMEOUT'
> {}

/**
 * balancedb failed. Connection problems, serialization failures and deadlocks may pass on another try; a
 * statement PostgreSQL refuses for its data (a check or a value out of range) will not, so the consumer loop
 * narrows the batch down to the message that causes it and sets that one aside.
 */
export class DatabaseError extends CommandHandlerError {
  /** SQLSTATE when PostgreSQL answered, undefined when it did not. */
  readonly sqlState: string | undefined;
  constructor(message: string, sqlState: string | undefined, retryable: boolean, cause?: unknown) {
    super('DATABASE', message, { retryable, cause });
    this.sqlState = sqlState;
  }
}

/** A stored answer could not be read back: the table holds something this code did not write. */
export class StoredAnswerError extends CommandHandlerError {
  constructor(message: string) {
    super('STORED_ANSWER_INVALID', message);
  }
}

/** The outbox relay gave up a round that did not commit in time; a new producer settles and fences it. */
export class RelayRoundTimeoutError extends CommandHandlerError {
  constructor(ms: number) {
    super('RELAY_ROUND_TIMEOUT', `outbox relay round not committed within ${ms} ms`, { retryable: true });
  }
}
