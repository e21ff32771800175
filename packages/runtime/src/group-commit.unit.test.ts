import { OpenBankError } from '@open-bank/contract';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

/** A handler whose groups finish when the test says so, recording what each group held. */
function controlled() {
  const groups: number[][] = [];
  const pending: (() => void)[] = [];
  const handle = (items: readonly number[]) => {
    groups.push([...items]);
    return new Promise<number[]>((resolve) => pending.push(() => resolve(items.map((i) => i * 10))));
  };
  const finishNext = async () => {
    await new Promise((r) => setImmediate(r));
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { groups, handle, finishNext };
}

describe('GroupCommit', () => {
  it('handles what arrives at once in one group, and what arrives meanwhile in the next', async () => {
    const h = controlled();
    const gc = new GroupCommit(h.handle);
    const first = [gc.run(1), gc.run(2), gc.run(3)];
    await new Promise((r) => setImmediate(r));
    const later = [gc.run(4), gc.run(5)];
    await h.finishNext();
    await h.finishNext();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(h.groups).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('keeps groups within the size limit, never splitting an item', async () => {
    const h = controlled();
    const gc = new GroupCommit(h.handle, { maxSize: 5, size: (i) => i });
    const all = [gc.run(2), gc.run(2), gc.run(2), gc.run(9)];
    for (let i = 0; i < 3; i++) await h.finishNext();
    await Promise.all(all);
    expect(h.groups).toEqual([[2, 2], [2], [9]]);
  });

  it('handles the items of a group that failed for good one by one, so only the culprit fails', async () => {
    const seen: number[][] = [];
    const gc = new GroupCommit(async (items: readonly number[]) => {
      seen.push([...items]);
      if (items.includes(13)) throw new OpenBankError('BAD', 'thirteen', { retryable: false });
      return items.map((i) => i + 1);
    });
    const results = await Promise.allSettled([gc.run(1), gc.run(13), gc.run(2)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(seen).toEqual([[1, 13, 2], [1], [13], [2]]);
  });

  it('fails every item of a group on a retryable error, without handling them alone', async () => {
    let calls = 0;
    const gc = new GroupCommit(async (_items: readonly number[]): Promise<number[]> => {
      calls++;
      throw new OpenBankError('BUSY', 'try again', { retryable: true });
    });
    const results = await Promise.allSettled([gc.run(1), gc.run(2)]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
  });
});
