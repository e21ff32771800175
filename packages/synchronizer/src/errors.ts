import { OpenBankError } from '@open-bank/contract';

/** Base of every error the synchronizer throws. */
export class SynchronizerError extends OpenBankError<
  'USAGE' | 'WAIT_TIMEOUT' | 'REGISTRY_REQUEST_FAILED' | 'CLUSTER_READ_FAILED'
> {}

/** A command-line flag the synchronizer does not know. */
export class UsageError extends SynchronizerError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The broker or the registry did not answer within SYNC_WAIT_SECONDS. */
export class WaitTimeoutError extends SynchronizerError {
  constructor(what: string, seconds: number, lastError: string) {
    super('WAIT_TIMEOUT', `gave up waiting for ${what} after ${seconds}s (SYNC_WAIT_SECONDS): ${lastError}`, {
      retryable: true,
    });
  }
}

/** The registry answered a request with an error, or could not be reached. */
export class RegistryRequestError extends SynchronizerError {
  /** HTTP status, undefined when no answer came. */
  readonly status: number | undefined;
  /** Confluent's `error_code` from the answer body, e.g. 40401 subject not found. */
  readonly errorCode: number | undefined;
  constructor(
    message: string,
    status: number | undefined,
    options: { errorCode?: number | undefined; cause?: unknown } = {},
  ) {
    super('REGISTRY_REQUEST_FAILED', message, {
      retryable: status === undefined || status >= 500,
      cause: options.cause,
    });
    this.status = status;
    this.errorCode = options.errorCode;
  }
}

/** Reading the cluster's topics, configs or brokers failed. */
export class ClusterReadError extends SynchronizerError {
  constructor(message: string, cause?: unknown) {
    super('CLUSTER_READ_FAILED', message, { retryable: true, cause });
  }
}
