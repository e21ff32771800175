import { describe, expect, it } from 'vitest';
import { toTopicMessages } from './consumer-loop.ts';
import { errorCode, isRetryable, RuntimeError } from './errors.ts';

describe('retry or dead-letter', () => {
  it('follows the retryable flag of errors that have one', () => {
    expect(isRetryable(new RuntimeError('X', 'x', { retryable: true }))).toBe(true);
    expect(isRetryable(new RuntimeError('X', 'x'))).toBe(false);
    expect(isRetryable(Object.assign(new Error('decode'), { retryable: false, code: 'DECODE_FAILED' }))).toBe(
      false,
    );
  });

  it('retries errors that say nothing, such as a dropped connection', () => {
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable('weird')).toBe(true);
  });

  it('reports the code of an error, or its class name', () => {
    expect(errorCode(new RuntimeError('BAD_THING', 'x'))).toBe('BAD_THING');
    expect(errorCode(new TypeError('x'))).toBe('TypeError');
  });
});

describe('toTopicMessages', () => {
  it('groups messages by topic and keeps their order', () => {
    const v = (s: string) => Buffer.from(s);
    expect(
      toTopicMessages([
        { topic: 'a', key: '1', value: v('x') },
        { topic: 'b', key: '2', value: v('y') },
        { topic: 'a', key: '3', value: v('z'), headers: { h: '1' } },
      ]),
    ).toEqual([
      {
        topic: 'a',
        messages: [
          { key: '1', value: v('x'), headers: undefined },
          { key: '3', value: v('z'), headers: { h: '1' } },
        ],
      },
      { topic: 'b', messages: [{ key: '2', value: v('y'), headers: undefined }] },
    ]);
  });
});
