import { describe, expect, it } from 'vitest';
import { type HandledBatch, planRecovery } from './recovery-plan.ts';

const batch = (seq: bigint, partition: number, lastOffset: bigint, ids: string[]): HandledBatch => ({
  seq,
  partition,
  lastOffset,
  commandIds: ids,
});

describe('planRecovery', () => {
  it('publishes nothing when every batch is settled, and lets their rows go', () => {
    const plan = planRecovery(
      [batch(1n, 0, 10n, ['a']), batch(2n, 1, 5n, ['b'])],
      new Map([
        [0, 11n],
        [1, 20n],
      ]),
      -1n,
    );
    expect(plan).toEqual({ publish: [], publishedUpTo: null, recovered: new Set(), settled: [1n, 2n] });
  });

  it('publishes unsettled batches in commit order across partitions', () => {
    const plan = planRecovery(
      [
        batch(7n, 2, 40n, ['c', 'd']),
        batch(5n, 0, 10n, ['a']),
        batch(6n, 1, 3n, ['b']),
        batch(4n, 0, 8n, ['z']),
      ],
      new Map([
        [0, 9n],
        [1, 3n],
        [2, 38n],
      ]),
      -1n,
    );
    expect(plan.publish).toEqual(['a', 'b', 'c', 'd']);
    expect(plan.publishedUpTo).toBe(7n);
    expect(plan.recovered).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(plan.settled).toEqual([4n]);
  });

  it('treats a partition without a committed offset as unsettled from the start', () => {
    const plan = planRecovery([batch(1n, 4, 0n, ['a'])], new Map(), -1n);
    expect(plan.publish).toEqual(['a']);
    const negative = planRecovery([batch(1n, 4, 0n, ['a'])], new Map([[4, -1n]]), -1n);
    expect(negative.publish).toEqual(['a']);
  });

  it('does not publish again what an earlier recovery published, but still marks it recovered', () => {
    const plan = planRecovery(
      [batch(5n, 0, 10n, ['a']), batch(9n, 1, 3n, ['b'])],
      new Map([
        [0, 0n],
        [1, 0n],
      ]),
      5n,
    );
    expect(plan.publish).toEqual(['b']);
    expect(plan.publishedUpTo).toBe(9n);
    expect(plan.recovered).toEqual(new Set(['a', 'b']));
    const again = planRecovery(
      [batch(5n, 0, 10n, ['a']), batch(9n, 1, 3n, ['b'])],
      new Map([
        [0, 0n],
        [1, 0n],
      ]),
      9n,
    );
    expect(again.publish).toEqual([]);
    expect(again.publishedUpTo).toBeNull();
    expect(again.recovered).toEqual(new Set(['a', 'b']));
  });
});
