import { OpenBankError } from '@open-bank/contract';

/** Base of every error the end-to-end helpers throw. */
export class E2eError extends OpenBankError<
  | 'BROWSER_MISSING'
  | 'INTERACTION_TIMEOUT'
  | 'RUN_FILE_INVALID'
  | 'BENCH_OPTIONS_INVALID'
  | 'BENCH_TARGET_FAILED'
> {}

/** No browser at the configured path: nothing is downloaded, Chromium comes from the system. */
export class BrowserMissingError extends E2eError {
  constructor(path: string) {
    super(
      'BROWSER_MISSING',
      `no Chromium at ${path}: install it (Debian: apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
}

/** The app did not show what an interaction should lead to in time. */
export class InteractionTimeoutError extends E2eError {
  constructor(what: string, timeoutMs: number, seen: string | null) {
    super(
      'INTERACTION_TIMEOUT',
      `${what} not seen within ${timeoutMs} ms (last seen: ${seen ?? 'nothing'})`,
      {
        retryable: true,
      },
    );
  }
}

/** A benchmark result file that cannot be read as one. */
export class RunFileError extends E2eError {
  constructor(message: string) {
    super('RUN_FILE_INVALID', message);
  }
}

/** Options of `pnpm bench` or `pnpm bench:report` that cannot work, all named at once. */
export class BenchOptionsError extends E2eError {
  constructor(problems: readonly string[]) {
    super('BENCH_OPTIONS_INVALID', `invalid options:\n  ${problems.join('\n  ')}`);
  }
}

/** The system under test does not answer as the benchmark needs (heartbeat control, frontend). */
export class BenchTargetError extends E2eError {
  constructor(message: string, cause?: unknown) {
    super('BENCH_TARGET_FAILED', message, { retryable: true, cause });
  }
}
