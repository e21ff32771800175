import { describe, expect, it } from 'vitest';
import { PushedOffsets } from './pushed-offsets.ts';

const at = (...offsets: (number | string)[]) => offsets.map((o) => ({ offset: String(o) }));
const offsets = (items: { offset: string }[]) => items.map((i) => i.offset);

describe('PushedOffsets', () => {
  it('takes every offset of a partition once, however often the batch comes back', () => {
    const pushed = new PushedOffsets();
    expect(offsets(pushed.take(0, at(0, 1, 2)))).toEqual(['0', '1', '2']);
    expect(pushed.take(0, at(0, 1, 2))).toEqual([]);
    expect(offsets(pushed.take(0, at(1, 2, 3, 4)))).toEqual(['3', '4']);
    expect(pushed.take(0, at(4))).toEqual([]);
  });

  it('keeps partitions apart', () => {
    const pushed = new PushedOffsets();
    pushed.take(0, at(10, 11));
    expect(offsets(pushed.take(1, at(0, 1)))).toEqual(['0', '1']);
    expect(offsets(pushed.take(0, at(11, 12)))).toEqual(['12']);
  });

  it('returns what it takes in offset order, comparing offsets as numbers past 2^53', () => {
    const pushed = new PushedOffsets();
    const big = 2n ** 60n;
    expect(offsets(pushed.take(3, at(String(big + 2n), '9', String(big + 1n), '10')))).toEqual([
      '9',
      '10',
      String(big + 1n),
      String(big + 2n),
    ]);
    expect(offsets(pushed.take(3, at(String(big + 2n), String(big + 3n))))).toEqual([String(big + 3n)]);
  });

  it('leaves the mark where it was when nothing is new', () => {
    const pushed = new PushedOffsets();
    expect(pushed.take(0, [])).toEqual([]);
    expect(offsets(pushed.take(0, at(5)))).toEqual(['5']);
    expect(pushed.take(0, at(2, 3))).toEqual([]);
    expect(offsets(pushed.take(0, at(6)))).toEqual(['6']);
  });
});
