/**
 * Crash recovery, the pure part. A batch of transfers is committed to balancedb before its answers and
 * events are published (with its offsets) in one Kafka transaction. A crash in between leaves batches that
 * changed balances but published nothing. Their commands come again, but possibly after newer commands of
 * other partitions touching the same accounts — so re-sending their events then would break the order of
 * BalanceChanged per IBAN. Instead, at start and before consuming, the events of such batches are
 * published in the order the database committed them (handled_batch.seq); the re-delivered commands then
 * get their answers only.
 *
 * Which published? A batch is settled when its partition's committed offset is past its last message. To
 * make the recovery itself safe against a crash, its Kafka transaction also commits, for a bookkeeping
 * consumer group, the highest seq it published: batches up to that seq are never published twice.
 */

export interface HandledBatch {
  readonly seq: bigint;
  readonly partition: number;
  readonly lastOffset: bigint;
  /** Commands of the batch that produced events, in the order they were decided. */
  readonly commandIds: readonly string[];
}

export interface RecoveryPlan {
  /** Commands whose stored events to publish now, in order. */
  readonly publish: string[];
  /** Highest seq published now, to record in the bookkeeping group; null when nothing is published. */
  readonly publishedUpTo: bigint | null;
  /** Every command of an unsettled batch: its re-delivery must not publish its events again. */
  readonly recovered: Set<string>;
  /** Batches known to be settled, whose rows may be deleted. */
  readonly settled: bigint[];
}

/**
 * @param committed the consumer group's committed offset per partition (missing or negative: none yet)
 * @param recoveredUpTo the bookkeeping group's offset: highest seq an earlier recovery published, or -1
 */
export function planRecovery(
  batches: readonly HandledBatch[],
  committed: ReadonlyMap<number, bigint>,
  recoveredUpTo: bigint,
): RecoveryPlan {
  const sorted = [...batches].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  const publish: string[] = [];
  const recovered = new Set<string>();
  const settled: bigint[] = [];
  let publishedUpTo: bigint | null = null;
  for (const b of sorted) {
    const next = committed.get(b.partition) ?? -1n;
    if (next > b.lastOffset) {
      settled.push(b.seq);
      continue;
    }
    for (const id of b.commandIds) recovered.add(id);
    if (b.seq > recoveredUpTo) {
      publish.push(...b.commandIds);
      publishedUpTo = b.seq;
    }
  }
  return { publish, publishedUpTo, recovered, settled };
}
