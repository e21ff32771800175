import {
  bytesToUuid,
  type Codec,
  producerDefaults,
  type RecordOf,
  sendOptions,
  type TopicId,
  type Topology,
} from '@open-bank/topology';
import { type Kafka, Partitioners, type PartitionMetadata, type Producer } from 'kafkajs';
import type pg from 'pg';
import { type HistoryItem, syntheticHistory } from './synthetic.ts';

/**
 * Writes a synthetic but valid bank history (see synthetic.ts) to the topics and the matching rows to
 * balancedb and transactiondb, fast, for measuring the reconciliation on millions of events. Not for a bank
 * in use: it writes as the services would, but without them, so run it on topics and databases of its own.
 */
export interface GenerateOptions {
  readonly accounts: number;
  readonly transfers: number;
  readonly seed?: number;
  /** Messages per produce request. */
  readonly batch?: number;
  readonly log?: (line: string) => void;
}

export interface GenerateResult {
  readonly commands: number;
  readonly answers: number;
  readonly events: number;
  readonly seconds: number;
}

const ITEM_TOPIC: Record<HistoryItem['kind'], TopicId> = {
  accountCommand: 'confirmAccountCreation',
  accountConfirmed: 'accountCreationConfirmed',
  transferCommand: 'confirmMoneyTransfer',
  transferConfirmed: 'moneyTransferConfirmed',
  transferFailed: 'moneyTransferFailed',
  balanceChanged: 'balanceChanged',
};

interface Pending {
  topic: string;
  partition: number;
  key: string;
  value: Buffer;
  /** The event, for its transactiondb row once its offset is known. */
  event?: RecordOf<'balanceChanged'>;
}

export async function generateHistory(
  kafka: Kafka,
  codec: Codec,
  topology: Topology,
  dbs: { balancedb: pg.Client; transactiondb: pg.Client },
  options: GenerateOptions,
): Promise<GenerateResult> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  // All of a request may go to one partition (the account topics have one): its record batch must stay
  // under the broker's 1 MB message limit.
  const batchSize = options.batch ?? 8_000;
  await codec.prepare(Object.values(ITEM_TOPIC));
  const admin = kafka.admin();
  await admin.connect();
  const partitionCounts = new Map<string, number>();
  try {
    const { topics } = await admin.fetchTopicMetadata({
      topics: Object.values(ITEM_TOPIC).map((id) => topology[id].name),
    });
    for (const t of topics) partitionCounts.set(t.name, t.partitions.length);
  } finally {
    await admin.disconnect();
  }
  // The producer's own partitioner, so keys land where the services' producers would put them.
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionOf = (topic: string, key: string): number =>
    partitioner({
      topic,
      partitionMetadata: Array.from({ length: partitionCounts.get(topic) ?? 1 }, (_, i) => ({
        partitionId: i,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      })) as PartitionMetadata[],
      message: { key, value: null },
    });

  const producer: Producer = kafka.producer({ ...producerDefaults, maxInFlightRequests: 1 });
  await producer.connect();
  const history = syntheticHistory(options);
  const now = new Date();
  let pending: Pending[] = [];
  const counts = { commands: 0, answers: 0, events: 0 };
  let lastLog = Date.now();
  let inserting: Promise<void> = Promise.resolve();

  const flush = async () => {
    if (pending.length === 0) return;
    const byTopic = new Map<string, Pending[]>();
    for (const p of pending) {
      const list = byTopic.get(p.topic) ?? [];
      list.push(p);
      byTopic.set(p.topic, list);
    }
    const sent = await producer.sendBatch({
      ...sendOptions,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((p) => ({ key: p.key, value: p.value, partition: p.partition })),
      })),
    });
    // One writer and one request at a time: a partition's messages of this request follow its base offset.
    const base = new Map(sent.map((m) => [`${m.topicName}/${m.partition}`, BigInt(m.baseOffset ?? '0')]));
    const rows: { p: Pending; offset: bigint }[] = [];
    const seen = new Map<string, bigint>();
    for (const p of pending) {
      const k = `${p.topic}/${p.partition}`;
      const i = seen.get(k) ?? 0n;
      seen.set(k, i + 1n);
      if (p.event) rows.push({ p, offset: (base.get(k) ?? 0n) + i });
    }
    // The rows go in while the next request is produced; one insert at a time, in order.
    await inserting;
    if (rows.length > 0) inserting = insertTransactions(dbs.transactiondb, rows, now);
    pending = [];
  };

  for (const item of history.items) {
    const id = ITEM_TOPIC[item.kind];
    const t = topology[id];
    const value = codec.encode(id, item.value as never);
    const key = item.kind === 'balanceChanged' ? item.value.iban : bytesToUuid(item.value.id);
    const p: Pending = { topic: t.name, partition: partitionOf(t.name, key), key, value };
    if (item.kind === 'balanceChanged') {
      p.event = item.value;
      counts.events++;
    } else if (item.kind === 'accountCommand' || item.kind === 'transferCommand') counts.commands++;
    else counts.answers++;
    pending.push(p);
    if (pending.length >= batchSize) await flush();
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`${counts.commands} commands, ${counts.answers} answers, ${counts.events} events written`);
    }
  }
  await flush();
  await inserting;
  await producer.disconnect();

  const accounts = [...history.accounts.values()];
  for (let i = 0; i < accounts.length; i += 10_000) {
    const chunk = accounts.slice(i, i + 10_000);
    await dbs.balancedb.query(
      `INSERT INTO balance (iban, token, amount, lmt)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
       ON CONFLICT (iban) DO UPDATE SET amount = excluded.amount, lmt = excluded.lmt`,
      [
        chunk.map((a) => a.iban),
        chunk.map((a) => a.token),
        chunk.map((a) => String(a.balance)),
        chunk.map((a) => String(a.limit)),
      ],
    );
  }
  return { ...counts, seconds: (Date.now() - t0) / 1000 };
}

async function insertTransactions(
  client: pg.Client,
  rows: readonly { p: Pending; offset: bigint }[],
  now: Date,
): Promise<void> {
  const events = rows.map((r) => r.p.event as RecordOf<'balanceChanged'>);
  await client.query(
    `INSERT INTO transaction (iban, new_balance, changed_by, from_to, description, created_at, kafka_topic, kafka_partition, kafka_offset)
     SELECT iban, nb, cb, ft, d, $6, kt, kp, ko
     FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $7::text[], $8::int[], $9::bigint[])
       AS u(iban, nb, cb, ft, d, kt, kp, ko)`,
    [
      events.map((e) => e.iban),
      events.map((e) => String(e.new_balance)),
      events.map((e) => String(e.changed_by)),
      events.map((e) => e.from_to),
      events.map((e) => e.description),
      now,
      rows.map((r) => r.p.topic),
      rows.map((r) => r.p.partition),
      rows.map((r) => String(r.offset)),
    ],
  );
}
