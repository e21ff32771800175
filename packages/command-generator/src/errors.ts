import { OpenBankError } from '@open-bank/contract';

/** Base of every error the command generator throws. */
export class CommandGeneratorError extends OpenBankError<'REBUILD_TIMEOUT'> {}

/** Reading the confirmed accounts back at start did not reach the end offsets in time. */
export class RebuildTimeoutError extends CommandGeneratorError {
  constructor(topic: string, timeoutMs: number, remaining: string) {
    super(
      'REBUILD_TIMEOUT',
      `reading ${topic} up to its end offsets took longer than ${timeoutMs} ms (still behind: ${remaining})`,
      { retryable: true },
    );
  }
}
