import type { ConsumedMessage } from './types.ts';

/** The parts of @platformatic/kafka's fetch answer for one partition that a read needs. */
export interface FetchedRecord {
  offsetDelta: number;
  timestampDelta: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer | null, Buffer | null][];
}

export interface FetchedBatch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  attributes: number;
  producerId: bigint;
  records: FetchedRecord[];
}

export interface FetchedPartition {
  partitionIndex: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[];
  records?: FetchedBatch[] | undefined;
}

const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;

function isAbortMarker(batch: FetchedBatch): boolean {
  // A control record's key is version (int16) then type (int16): 0 aborts, 1 commits.
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

function headersOf(headers: FetchedRecord['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) if (k !== null) out[k.toString()] = v === null ? '' : v.toString();
  return out;
}

/**
 * The readable records of one fetched partition from `fetchOffset` on, and the offset to fetch next.
 * Aborted transactions are dropped the way the Java client does it: a batch of a producer listed as aborted
 * from an offset at or before the batch is skipped until that producer's abort marker. The library filters
 * too, but keys its ranges by producer, so a producer that aborted twice in one answer would leak the first
 * transaction's records. Control batches are never handed out but still move the position, so a partition
 * ending in markers is read to its end.
 */
export function readPartition(
  fetched: FetchedPartition,
  fetchOffset: bigint,
  readCommitted: boolean,
): { messages: ConsumedMessage[]; next: bigint } {
  const partition = fetched.partitionIndex;
  const batches = fetched.records ?? [];
  const aborted = readCommitted
    ? [...fetched.abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
    : [];
  const abortedProducers = new Set<bigint>();
  const messages: ConsumedMessage[] = [];
  let next = fetchOffset;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset + 1n > next) next = lastOffset + 1n;
    if (readCommitted && (batch.attributes & IS_TRANSACTIONAL) !== 0) {
      while (aborted.length > 0 && (aborted[0] as { firstOffset: bigint }).firstOffset <= lastOffset) {
        abortedProducers.add((aborted.shift() as { producerId: bigint }).producerId);
      }
      if ((batch.attributes & IS_CONTROL) !== 0) {
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (abortedProducers.has(batch.producerId)) continue;
    }
    if ((batch.attributes & IS_CONTROL) !== 0) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      // A fetch answers whole batches, so the first may start before the offset asked for.
      if (offset < fetchOffset) continue;
      messages.push({
        partition,
        offset: offset.toString(),
        key: record.key ?? null,
        value: record.value ?? null,
        headers: headersOf(record.headers),
        timestamp: (batch.firstTimestamp + record.timestampDelta).toString(),
      });
    }
  }
  return { messages, next };
}

/** The end a consumer may read to: the last stable offset under read-committed, else the high watermark. */
export function endOffsetOf(fetched: FetchedPartition, readCommitted: boolean): bigint {
  return readCommitted && fetched.lastStableOffset >= 0n ? fetched.lastStableOffset : fetched.highWatermark;
}
