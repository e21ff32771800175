/** Base of the reconciliation's and the dead-letter tool's errors; `retryable` says whether a retry may help. */
export class ReconcileError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

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
