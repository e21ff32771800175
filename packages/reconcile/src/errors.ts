import { OpenBankError } from '@open-bank/contract';

/** Base of the reconciliation's and the dead-letter tool's errors. */
export class ReconcileError extends OpenBankError<
  'NOT_CONSISTENT' | 'READ_TIMEOUT' | 'USAGE' | 'RESUBMIT_REFUSED'
> {}

/** The services did not catch up with the log in time, so the databases cannot be compared with it. */
export class NotConsistentError extends ReconcileError {
  constructor(message: string) {
    super('NOT_CONSISTENT', message, { retryable: true });
  }
}

/** Reading a topic to its end offsets did not finish in time. */
export class ReadTimeoutError extends ReconcileError {
  constructor(message: string) {
    super('READ_TIMEOUT', message, { retryable: true });
  }
}

/** A command line the tool does not understand. */
export class UsageError extends ReconcileError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A dead letter that cannot be re-submitted: not found, not from a bank topic, or re-submitted before. */
export class ResubmitRefusedError extends ReconcileError {
  constructor(message: string) {
    super('RESUBMIT_REFUSED', message);
  }
}
