import { OpenBankError } from '@open-bank/contract';

/** Base of the runtime's own errors: the Kafka port's, `KAFKA_` and the protocol error's name. */
export class RuntimeError extends OpenBankError<`KAFKA_${string}`> {}

/**
 * Whether a failure is worth retrying. Errors that carry a `retryable` flag (every package's error base has
 * one) say so themselves; anything else — a dropped connection, a database restart — is assumed transient,
 * because dead-lettering a good message over an infrastructure hiccup would lose it.
 */
export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    return (error as { retryable: unknown }).retryable === true;
  }
  return true;
}

export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error)
    return String((error as { code: unknown }).code);
  return error instanceof Error ? error.name : 'UNKNOWN';
}
