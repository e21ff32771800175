import { describe, expect, it } from 'vitest';
import { GraphqlRequestError, TimeoutError, UnreachableError } from '../errors.ts';
import { afterAttempt, outcomeOf, retryDelayMs, type Unsettled, uuidFor } from './unsettled.ts';

describe('requests of unknown outcome', () => {
  it('counts a time-out or a lost connection as unknown, a refusal as settled', () => {
    expect(outcomeOf(new TimeoutError(20))).toBe('unknown');
    expect(outcomeOf(new UnreachableError())).toBe('unknown');
    expect(outcomeOf(new GraphqlRequestError('bad amount', 'BAD_USER_INPUT'))).toBe('refused');
    expect(outcomeOf(new Error('bug'))).toBe('refused');
  });

  it('sends a request asking the same as an unsettled one under that one uuid, never a new one', () => {
    let n = 0;
    const fresh = () => `new-${++n}`;
    let unsettled: Unsettled[] = [];
    const first = uuidFor(unsettled, 'deposit 10', fresh);
    expect(first).toBe('new-1');
    unsettled = afterAttempt(unsettled, { key: 'deposit 10', uuid: first }, 'unknown');
    // A new click on the same deposit while the first is unsettled: the same request again.
    expect(uuidFor(unsettled, 'deposit 10', fresh)).toBe(first);
    // Another amount is another request.
    expect(uuidFor(unsettled, 'deposit 20', fresh)).toBe('new-2');
    unsettled = afterAttempt(unsettled, { key: 'deposit 10', uuid: first }, 'unknown');
    expect(unsettled).toEqual([{ key: 'deposit 10', uuid: first, attempts: 2 }]);
    unsettled = afterAttempt(unsettled, { key: 'deposit 10', uuid: first }, 'answered');
    expect(unsettled).toEqual([]);
    // Once answered, a new click is a new deposit.
    expect(uuidFor(unsettled, 'deposit 10', fresh)).toBe('new-3');
  });

  it('settles a refused request, keeping the others', () => {
    const unsettled: Unsettled[] = [
      { key: 'a', uuid: '1', attempts: 1 },
      { key: 'b', uuid: '2', attempts: 3 },
    ];
    expect(afterAttempt(unsettled, { key: 'a', uuid: '1' }, 'refused')).toEqual([
      { key: 'b', uuid: '2', attempts: 3 },
    ]);
  });

  it('backs off 1, 2, 4, 8 s, then retries every 15 s', () => {
    expect([1, 2, 3, 4, 5, 9].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
  });
});
