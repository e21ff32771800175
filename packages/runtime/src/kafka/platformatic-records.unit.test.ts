import { describe, expect, it } from 'vitest';
import { type FetchedBatch, type FetchedPartition, readPartition } from './platformatic-records.ts';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

const data = (
  producerId: bigint,
  firstOffset: bigint,
  values: string[],
  transactional = true,
): FetchedBatch => ({
  firstOffset,
  lastOffsetDelta: values.length - 1,
  firstTimestamp: 1_700_000_000_000n,
  attributes: transactional ? TRANSACTIONAL : 0,
  producerId,
  records: values.map((v, i) => ({
    offsetDelta: i,
    timestampDelta: BigInt(i),
    key: Buffer.from(`k-${v}`),
    value: Buffer.from(v),
    headers: [[Buffer.from('h'), Buffer.from(v)]],
  })),
});

const marker = (producerId: bigint, offset: bigint, commit: boolean): FetchedBatch => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return {
    firstOffset: offset,
    lastOffsetDelta: 0,
    firstTimestamp: 0n,
    attributes: TRANSACTIONAL | CONTROL,
    producerId,
    records: [{ offsetDelta: 0, timestampDelta: 0n, key, value: Buffer.alloc(6), headers: [] }],
  };
};

const partition = (records: FetchedBatch[], aborted: { producerId: bigint; firstOffset: bigint }[] = []) =>
  ({
    partitionIndex: 3,
    highWatermark: 100n,
    lastStableOffset: 90n,
    abortedTransactions: aborted,
    records,
  }) satisfies FetchedPartition;

const values = (p: FetchedPartition, from: bigint, committed = true) =>
  readPartition(p, from, committed).messages.map((m) => m.value?.toString());

describe('readPartition', () => {
  it('hides every aborted transaction of a producer that aborted twice in one answer', () => {
    const p = partition(
      [
        data(7n, 0n, ['a0', 'a1']),
        marker(7n, 2n, false),
        data(7n, 3n, ['c3']),
        marker(7n, 4n, true),
        data(7n, 5n, ['a5']),
        marker(7n, 6n, false),
        data(8n, 7n, ['plain'], false),
      ],
      [
        { producerId: 7n, firstOffset: 5n },
        { producerId: 7n, firstOffset: 0n },
      ],
    );
    expect(values(p, 0n)).toEqual(['c3', 'plain']);
    expect(readPartition(p, 0n, true).next).toBe(8n);
    // Read-uncommitted sees the aborted records too, never the markers.
    expect(values(p, 0n, false)).toEqual(['a0', 'a1', 'c3', 'a5', 'plain']);
  });

  it('moves past a partition that ends in markers without handing any out', () => {
    const p = partition([data(7n, 10n, ['x']), marker(7n, 11n, true)]);
    const { messages, next } = readPartition(p, 11n, true);
    expect(messages).toEqual([]);
    expect(next).toBe(12n);
  });

  it('drops the records of a batch before the offset asked for and maps the fields', () => {
    const [m, ...rest] = readPartition(partition([data(1n, 20n, ['v20', 'v21'], false)]), 21n, true).messages;
    expect(rest).toEqual([]);
    expect(m).toEqual({
      partition: 3,
      offset: '21',
      key: Buffer.from('k-v21'),
      value: Buffer.from('v21'),
      headers: { h: 'v21' },
      timestamp: '1700000000001',
    });
  });

  it('stays where it was when an answer holds nothing', () => {
    expect(readPartition(partition([]), 42n, true)).toEqual({ messages: [], next: 42n });
  });
});
