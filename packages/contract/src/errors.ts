/** What an error of this repo may carry besides its code and message. */
export interface OpenBankErrorOptions {
  /** Whether trying the same thing again may help; a consumer loop retries or dead-letters by it. */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * The one error base of every package (the browser's too, hence here): `code` is the package's closed list
 * of codes, which travel on dead-letter headers and in GraphQL answers, so they are an interface.
 */
export class OpenBankError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryable: boolean;
  constructor(code: Code, message: string, options: OpenBankErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
