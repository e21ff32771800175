import { randomUUID } from 'node:crypto';
import { createKafkaClient, createLogger, type KafkaClient, KafkaClientError } from '@open-bank/runtime';
import { readTopic, TEST_KAFKA_CLIENTS, waitFor } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import { OUTBOX_POSITION_TOPIC, producerDefaults, sendOptions } from '@open-bank/topology';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_NAME, DB_USER } from './config.ts';
import { formatSeqs, OutboxRelay, RELAY_TRANSACTIONAL_ID } from './relay.ts';
import { balancedb, type Scratch, scratchTopics } from './testing/index.ts';

let scratch: Scratch;
// The test's own observer and the crashed relay's producer: kafkajs, whichever client the relay runs on.
let kafka: Kafka;
let client: KafkaClient;
let db: pg.Pool;
const relays: OutboxRelay[] = [];

function relay(on: KafkaClient = client, roundTimeoutMs?: number): OutboxRelay {
  const env = stackEnv();
  const r = new OutboxRelay({
    ...(roundTimeoutMs ? { roundTimeoutMs } : {}),
    kafka: on,
    db: {
      host: env.DB_HOSTNAME,
      port: Number(env.DB_PORT),
      user: DB_USER,
      password: env.DB_PASSWORD,
      database: DB_NAME,
      max: 1,
    },
    logger: createLogger('relay-test', 'warn'),
    hops: { observe: () => undefined },
  });
  relays.push(r);
  return r;
}

/**
 * How a send of the relay's transactional producers goes wrong, one fault per send until none is left:
 * `refused` goes out and then fails as a broker refusing part of it would (NOT_ENOUGH_REPLICAS while a lost
 * broker is still in the ISR); `failed` fails as a connection to a killed broker does (not retryable, so the
 * round is settled); `hung` never answers, as a client retrying a produce for good; `refused-abort-hung` is
 * refused, and then the transaction's abort never answers (librdkafka waited 5 s after a broker loss).
 */
type SendFault = 'refused' | 'failed' | 'hung' | 'refused-abort-hung';

/**
 * The real client, with faults injected into its transactional producers' sends. Counts the transactional
 * producers the relay creates and the position reads (readToEnd) it makes.
 */
function faultySends(
  real: KafkaClient,
  faults: readonly SendFault[],
): { client: KafkaClient; producers: () => number; positionReads: () => number } {
  const left = [...faults];
  let producers = 0;
  let positionReads = 0;
  const wrapped: KafkaClient = {
    ...real,
    readToEnd: (topic, options) => {
      if (topic === OUTBOX_POSITION_TOPIC) positionReads++;
      return real.readToEnd(topic, options);
    },
    transactionalProducer: (options) => {
      producers++;
      const p = real.transactionalProducer(options);
      return {
        ...p,
        begin: async () => {
          const tx = await p.begin();
          let abortHangs = false;
          return {
            ...tx,
            send: async (records) => {
              const fault = left.shift();
              if (fault === 'hung') return new Promise<void>(() => undefined);
              if (fault === 'failed')
                throw new KafkaClientError('KAFKA_CONNECTION', 'injected', { retryable: false });
              await tx.send(records);
              abortHangs = fault === 'refused-abort-hung';
              if (fault === 'refused' || abortHangs)
                throw new KafkaClientError('KAFKA_NOT_ENOUGH_REPLICAS', 'injected', { retryable: true });
            },
            abort: () => (abortHangs ? new Promise<void>(() => undefined) : tx.abort()),
          };
        },
      };
    },
  };
  return { client: wrapped, producers: () => producers, positionReads: () => positionReads };
}

/** Outbox rows as the command handler writes them, in order: values are just their labels here. */
async function writeOutbox(topic: string, labels: readonly string[], key?: string): Promise<string[]> {
  const r = await db.query<{ seq: string }>(
    `INSERT INTO outbox (topic, key, value)
     SELECT $1, coalesce($3, v), convert_to(v, 'UTF8')
       FROM unnest($2::text[]) WITH ORDINALITY AS o(v, n) ORDER BY n
     RETURNING seq::text`,
    [topic, labels, key ?? null],
  );
  return r.rows.map((row) => row.seq);
}

async function published(topic: string): Promise<string[]> {
  return (await readTopic(kafka, topic)).map((m) => m.value?.toString() ?? '');
}

async function outboxSize(): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]?.n ?? -1;
}

describe.each(TEST_KAFKA_CLIENTS)('the outbox relay on %s', (clientName) => {
  beforeAll(async () => {
    scratch = await scratchTopics(`relay-${clientName}`);
    kafka = scratch.kafka;
    const env = stackEnv();
    client = await createKafkaClient(
      clientName,
      { brokers: env.KAFKA_BROKERS.split(','), clientId: `relay-test-${clientName}` },
      createLogger('relay-test', 'warn'),
    );
    db = balancedb();
  });

  afterAll(async () => {
    for (const r of relays.splice(0)) await r.stop().catch(() => undefined);
    await db?.end();
    await scratch?.drop();
  });

  it('publishes the outbox in order, once, and empties it', async () => {
    const topic = scratch.topology.balanceChanged.name;
    const labels = Array.from({ length: 50 }, (_, i) => `a${i}`);
    const r = relay();
    r.start();
    // One key, so one partition: the order on it must be the order of the outbox.
    await writeOutbox(topic, labels.slice(0, 20), 'one-iban');
    await writeOutbox(topic, labels.slice(20), 'one-iban');
    await waitFor(async () => (await published(topic)).length === labels.length, {
      what: 'every outbox row on the topic',
      timeoutMs: 30_000,
    });
    expect(await published(topic)).toEqual(labels);
    await waitFor(async () => (await outboxSize()) === 0, { what: 'the outbox to empty', timeoutMs: 10_000 });
    await r.stop();
  });

  it('tries a round refused before its commit again with the same producer, in order and once', async () => {
    const topic = scratch.topology.moneyTransferFailed.name;
    const faulty = faultySends(client, ['refused', 'refused', 'refused']);
    const r = relay(faulty.client);
    try {
      r.start();
      const labels = ['r-1', 'r-2', 'r-3'];
      await writeOutbox(topic, labels, 'one-iban');
      await waitFor(async () => (await outboxSize()) === 0, {
        what: 'the outbox to empty',
        timeoutMs: 30_000,
      });
      // The aborted rounds' records are on the topic too, but never visible to a read-committed reader.
      expect(await published(topic)).toEqual(labels);
      // No settle of a new producer: the aborted rounds changed nothing anyone sees.
      expect(faulty.producers()).toBe(1);
    } finally {
      await r.stop();
    }
  });

  it('settles a new producer after a round failed before its commit, without reading the position back', async () => {
    const topic = scratch.topology.moneyTransferFailed.name;
    const faulty = faultySends(client, ['failed']);
    const r = relay(faulty.client);
    try {
      r.start();
      const labels = ['f-1', 'f-2'];
      await writeOutbox(topic, labels, 'one-iban');
      await waitFor(async () => (await outboxSize()) === 0, {
        what: 'the outbox to empty',
        timeoutMs: 30_000,
      });
      expect((await published(topic)).filter((v) => v.startsWith('f-'))).toEqual(labels);
      expect(faulty.producers()).toBe(2);
      // Read once, when the relay first settled: the failed round's outcome was known (never committed).
      expect(faulty.positionReads()).toBe(1);
    } finally {
      await r.stop();
    }
  });

  it('gives up a round that hangs, fences its producer and publishes the rows once, in order', async () => {
    const topic = scratch.topology.accountCreationConfirmed.name;
    const faulty = faultySends(client, ['hung']);
    const r = relay(faulty.client, 1_000);
    try {
      r.start();
      const labels = ['h-1', 'h-2', 'h-3'];
      const started = Date.now();
      await writeOutbox(topic, labels, 'one-iban');
      await waitFor(async () => (await outboxSize()) === 0, {
        what: 'the outbox to empty',
        timeoutMs: 30_000,
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(await published(topic)).toEqual(labels);
      expect(faulty.producers()).toBe(2);
    } finally {
      await r.stop();
    }
  });

  it('drops the producer of a refused round whose abort does not answer, and publishes the rows once, in order', async () => {
    const topic = scratch.topology.moneyTransferFailed.name;
    const faulty = faultySends(client, ['refused-abort-hung']);
    const r = relay(faulty.client);
    try {
      r.start();
      const labels = ['a-1', 'a-2'];
      const started = Date.now();
      await writeOutbox(topic, labels, 'one-iban');
      await waitFor(async () => (await outboxSize()) === 0, {
        what: 'the outbox to empty',
        timeoutMs: 30_000,
      });
      // The relay's own round time-out (3 s here) is not what ended the wait.
      expect(Date.now() - started).toBeLessThan(3_000 + 1_000);
      expect((await published(topic)).filter((v) => v.startsWith('a-'))).toEqual(labels);
      expect(faulty.producers()).toBe(2);
      // Refused before its commit: nothing of the round landed, so the position is not read back.
      expect(faulty.positionReads()).toBe(1);
    } finally {
      await r.stop();
    }
  });

  it('taking over after a crash, deletes what was published and publishes the rest once', async () => {
    const topic = scratch.topology.moneyTransferConfirmed.name;
    // A relay that died right after the Kafka transaction of a round, before deleting its rows.
    const done = await writeOutbox(topic, ['done-1', 'done-2']);
    await writeOutbox(topic, ['new-1', 'new-2']);
    const crashed = kafka.producer({
      ...producerDefaults,
      transactionalId: RELAY_TRANSACTIONAL_ID,
      maxInFlightRequests: 1,
    });
    await crashed.connect();
    const tx = await crashed.transaction();
    await tx.sendBatch({
      ...sendOptions,
      topicMessages: [
        { topic, messages: ['done-1', 'done-2'].map((v) => ({ key: v, value: Buffer.from(v) })) },
        { topic: OUTBOX_POSITION_TOPIC, messages: [{ key: 'relay', value: Buffer.from(formatSeqs(done)) }] },
      ],
    });
    await tx.commit();
    // And the start of its next round, never committed: the new relay must fence and abort it.
    const open = await crashed.transaction();
    await open.sendBatch({
      ...sendOptions,
      topicMessages: [{ topic, messages: [{ key: 'ghost', value: Buffer.from('ghost') }] }],
    });

    const r = relay();
    r.start();
    await waitFor(async () => (await outboxSize()) === 0, { what: 'the outbox to empty', timeoutMs: 60_000 });
    await waitFor(async () => (await published(topic)).length >= 4, {
      what: 'four records',
      timeoutMs: 30_000,
    });
    expect((await published(topic)).sort()).toEqual(['done-1', 'done-2', 'new-1', 'new-2']);
    await crashed.disconnect().catch(() => undefined);
    await r.stop();
  });

  it('lets one relay publish at a time and hands the lease on when it stops', async () => {
    const topic = scratch.topology.accountCreationFailed.name;
    const [a, b] = [relay(), relay()];
    a.start();
    b.start();
    await waitFor(() => a.leading !== b.leading, { what: 'one of two relays to lead', timeoutMs: 30_000 });
    const [leader, standby] = a.leading ? [a, b] : [b, a];
    await writeOutbox(topic, ['x-1']);
    await waitFor(async () => (await published(topic)).length === 1, { what: 'x-1', timeoutMs: 30_000 });
    await leader.stop();
    await waitFor(() => standby.leading, { what: 'the standby to take the lease', timeoutMs: 30_000 });
    await writeOutbox(topic, [`x-2-${randomUUID().slice(0, 4)}`]);
    await waitFor(async () => (await published(topic)).length === 2, { what: 'x-2', timeoutMs: 30_000 });
    await standby.stop();
  });
});
