import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerTimeoutError, ShuttingDownError } from './errors.ts';
import { PendingAnswers } from './pending.ts';

describe('PendingAnswers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves a request with the answer to its id, even one that arrives during the send', async () => {
    const pending = new PendingAnswers<string>(1000);
    const answer = pending.request('a', async () => {
      expect(pending.has('a')).toBe(true);
      pending.resolve('a', 'early');
    });
    await expect(answer).resolves.toBe('early');
    expect(pending.size).toBe(0);
  });

  it('answers every waiter of an id once, and ignores answers nobody waits for', async () => {
    const sizes: number[] = [];
    const pending = new PendingAnswers<string>(1000, (n) => sizes.push(n));
    const one = pending.request('a', async () => {});
    const two = pending.request('a', async () => {});
    const other = pending.request('b', async () => {});
    await Promise.resolve();
    expect(pending.resolve('x', 'nobody')).toBe(false);
    expect(pending.resolve('a', 'yes')).toBe(true);
    expect(pending.resolve('a', 'again')).toBe(false);
    await expect(one).resolves.toBe('yes');
    await expect(two).resolves.toBe('yes');
    expect(pending.has('b')).toBe(true);
    pending.resolve('b', 'b');
    await other;
    expect(sizes.at(-1)).toBe(0);
  });

  it('fails with a clear timeout when no answer comes, and forgets the waiter', async () => {
    const pending = new PendingAnswers<string>(500);
    const answer = pending.request('a', async () => {});
    const check = expect(answer).rejects.toThrow(AnswerTimeoutError);
    await vi.advanceTimersByTimeAsync(499);
    expect(pending.has('a')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await check;
    await expect(answer).rejects.toThrow(/no answer from the bank within 500 ms/);
    expect(pending.has('a')).toBe(false);
  });

  it('withdraws the waiter when the send fails', async () => {
    const pending = new PendingAnswers<string>(500);
    await expect(
      pending.request('a', async () => {
        throw new Error('kafka down');
      }),
    ).rejects.toThrow('kafka down');
    expect(pending.size).toBe(0);
    // No stray timer fires a rejection later.
    await vi.advanceTimersByTimeAsync(1000);
  });

  it('fails waiting requests and refuses new ones once closed', async () => {
    const pending = new PendingAnswers<string>(500);
    const answer = pending.request('a', async () => {});
    await Promise.resolve();
    pending.close();
    await expect(answer).rejects.toThrow(ShuttingDownError);
    await expect(pending.request('b', async () => {})).rejects.toThrow(ShuttingDownError);
  });
});
