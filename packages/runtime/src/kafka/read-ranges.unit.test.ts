import { describe, expect, it } from 'vitest';
import { readRanges } from './read-ranges.ts';

describe('readRanges', () => {
  it('reads every partition from its earliest record to its end', () => {
    const { start, end } = readRanges(
      [
        { partition: 0, low: '0', high: '5' },
        { partition: 1, low: 3n, high: 9n },
      ],
      undefined,
    );
    expect([...start]).toEqual([
      [0, 0n],
      [1, 3n],
    ]);
    expect([...end]).toEqual([
      [0, 5n],
      [1, 9n],
    ]);
  });

  it('starts at the given offset, but never before the earliest record still kept', () => {
    const { start } = readRanges(
      [
        { partition: 0, low: '2', high: '10' },
        { partition: 1, low: '6', high: '10' },
      ],
      new Map([
        [0, '4'],
        [1, '1'],
      ]),
    );
    expect(start.get(0)).toBe(4n);
    expect(start.get(1)).toBe(6n);
  });

  it('leaves out partitions with nothing left to read', () => {
    const { start, end } = readRanges(
      [
        { partition: 0, low: '0', high: '0' },
        { partition: 1, low: '0', high: '7' },
        { partition: 2, low: '0', high: '7' },
      ],
      new Map([[1, '7']]),
    );
    expect([...end.keys()]).toEqual([2]);
    expect([...start.keys()]).toEqual([2]);
  });
});
