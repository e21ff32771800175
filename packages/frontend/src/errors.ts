import { OpenBankError } from '@open-bank/contract';

/** Base of every error the app's GraphQL client raises; a GraphQL answer's own code (e.g. BAD_USER_INPUT) is kept as it came. */
export class BankClientError extends OpenBankError<
  'UNREACHABLE' | 'TIMEOUT' | 'GRAPHQL_ERROR' | (string & {})
> {}

/** The endpoint (or the server in front of it) cannot be reached. */
export class UnreachableError extends BankClientError {
  constructor(cause?: unknown) {
    super('UNREACHABLE', "The bank's server can't be reached right now. Please try again in a moment.", {
      retryable: true,
      cause,
    });
  }
}

/** No answer in time; the request may still have been handled (transfers are idempotent by their uuid). */
export class TimeoutError extends BankClientError {
  constructor(seconds: number) {
    super('TIMEOUT', `No answer from the bank within ${seconds} s. Please try again.`, { retryable: true });
  }
}

/** The endpoint answered with GraphQL errors, e.g. BAD_USER_INPUT naming the argument. */
export class GraphqlRequestError extends BankClientError {
  constructor(
    message: string,
    code = 'GRAPHQL_ERROR',
    readonly argument?: string,
  ) {
    super(code, message);
  }
}

/** What to show a person for a failure. */
export function describeError(error: unknown): string {
  if (error instanceof BankClientError) return error.message;
  return 'Something went wrong. Please try again.';
}
