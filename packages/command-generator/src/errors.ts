/** Base of every error the command generator throws; `retryable` says whether trying again may help. */
export class CommandGeneratorError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

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
