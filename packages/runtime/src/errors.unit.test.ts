import { OpenBankError } from '@open-bank/contract';
import { describe, expect, it } from 'vitest';
import { errorCode, isRetryable } from './errors.ts';

describe('retry or dead-letter', () => {
  it('follows the retryable flag of errors that have one', () => {
    expect(isRetryable(new OpenBankError('X', 'x', { retryable: true }))).toBe(true);
    expect(isRetryable(new OpenBankError('X', 'x'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('decode'), { retryable: false, code: 'DECODE_FAILED' }))).toBe(
      false,
    );
  });

  it('retries errors that say nothing, such as a dropped connection', () => {
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable('weird')).toBe(true);
  });

  it('reports the code of an error, or its class name', () => {
    expect(errorCode(new OpenBankError('BAD_THING', 'x'))).toBe('BAD_THING');
    expect(errorCode(new TypeError('x'))).toBe('TypeError');
  });
});
