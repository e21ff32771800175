import { OpenBankError } from '@open-bank/contract';

/** Base of every error the synchronizer throws. */
export class SynchronizerError extends OpenBankError<'USAGE' | 'WAIT_TIMEOUT' | 'CLUSTER_READ_FAILED'> {}

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

/** Reading the cluster's topics, configs or brokers failed. */
export class ClusterReadError extends SynchronizerError {
  constructor(message: string, cause?: unknown) {
    super('CLUSTER_READ_FAILED', message, { retryable: true, cause });
  }
}
