import { OpenBankError } from '@open-bank/contract';

/** Base of every error of the local stack. */
export class StackError extends OpenBankError<
  | 'STACK_PREREQUISITE'
  | 'STACK_USAGE'
  | 'STACK_PORT_IN_USE'
  | 'STACK_PART_FAILED'
  | 'STACK_BUSY'
  | 'STACK_STATE_MISMATCH'
  | 'STACK_MIGRATION'
  | 'STACK_STOP'
> {}

/** A tool the stack needs (Java, Maven, the fetched Kafka jars, PostgreSQL binaries) is missing or unusable. */
export class PrerequisiteError extends StackError {
  constructor(message: string) {
    super('STACK_PREREQUISITE', message);
  }
}

/** Command line arguments that do not make sense (unknown flag, bad value). */
export class UsageError extends StackError {
  constructor(message: string) {
    super('STACK_USAGE', message);
  }
}

/** A port the stack wants is held by a process that is not part of this stack. */
export class PortInUseError extends StackError {
  constructor(message: string) {
    super('STACK_PORT_IN_USE', message, { retryable: true });
  }
}

/** A part did not become healthy in time, exited early, or a one-shot part failed. */
export class PartFailedError extends StackError {
  readonly part: string;
  readonly logTail: string;
  constructor(part: string, message: string, logTail = '') {
    super('STACK_PART_FAILED', message);
    this.part = part;
    this.logTail = logTail;
  }
}

/** Another stack command holds the lock of the profile. */
export class StackBusyError extends StackError {
  constructor(message: string) {
    super('STACK_BUSY', message, { retryable: true });
  }
}

/** The on-disk state of a profile does not fit the request (e.g. data formatted for another broker count). */
export class StateMismatchError extends StackError {
  constructor(message: string) {
    super('STACK_STATE_MISMATCH', message);
  }
}

/** A migration file is malformed, changed after being applied, or failed to run. */
export class MigrationError extends StackError {
  constructor(message: string, cause?: unknown) {
    super('STACK_MIGRATION', message, { cause });
  }
}

/** Processes or ports of the stack are still alive after `down`. */
export class StopError extends StackError {
  constructor(message: string) {
    super('STACK_STOP', message, { retryable: true });
  }
}
