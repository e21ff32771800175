import { randomUUID } from 'node:crypto';
import { OpenBankError } from '@open-bank/contract';
import { stackEnv } from '@open-bank/stack/testing';
import {
  type Codec,
  createKafka,
  DeadLetterHeader,
  keyFor,
  producerDefaults,
  type Topology,
  uuidToBytes,
} from '@open-bank/topology';
import { createScratchTopics, type ScratchTopics } from '@open-bank/topology/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Batch, ConsumerLoop, type Outgoing } from './consumer-loop.ts';
import { createKafkaClient } from './kafka/client.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { TEST_KAFKA_CLIENTS } from './testing/kafka-clients.ts';
import { readTopic } from './testing/read-topic.ts';
import { waitFor } from './testing/wait.ts';

// Scratch topics per run, so this test neither sees nor disturbs the bank's own topics.
const run = randomUUID().slice(0, 8);
const modes = ['plain', 'transactional'] as const;
const cases = TEST_KAFKA_CLIENTS.flatMap((client) => modes.map((mode) => [client, mode] as const));
const topologies = new Map<string, Topology>();
const codecs = new Map<string, Codec>();
const scratch: ScratchTopics[] = [];
// The test's own observer: kafkajs, whichever client the loop under test runs on.
let kafka: Kafka;

beforeAll(async () => {
  const env = stackEnv();
  kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'consumer-loop-test' });
  for (const [client, mode] of cases) {
    const s = await createScratchTopics(kafka, env.SCHEMA_REGISTRY_URL, `_loop_${run}_${client}_${mode}`, [
      'confirmMoneyTransfer',
      'moneyTransferConfirmed',
    ]);
    scratch.push(s);
    topologies.set(`${client}-${mode}`, s.topology);
    codecs.set(`${client}-${mode}`, s.codec);
  }
});

afterAll(async () => {
  await Promise.all(scratch.map((s) => s.drop()));
});

function transfer(id: string, description = 'test') {
  return {
    id: uuidToBytes(id),
    token: 'cash',
    amount: 100n,
    from: 'cash',
    to: 'NL66OPEN0000000000',
    description,
  };
}

/** Answers each transfer with MoneyTransferConfirmed; `poison` descriptions fail for good, once-only retryable. */
function answering(topology: Topology, codec: Codec, state: { failedOnce: boolean }) {
  return async (batch: Batch<'confirmMoneyTransfer'>): Promise<Outgoing[]> => {
    if (batch.messages.some((m) => m.value.description === 'flaky') && !state.failedOnce) {
      state.failedOnce = true;
      throw new OpenBankError('FLAKY', 'database went away', { retryable: true });
    }
    if (batch.messages.some((m) => m.value.description === 'poison')) {
      throw new OpenBankError('POISON', 'cannot handle this command');
    }
    return batch.messages.map((m) => {
      const value = { id: m.value.id };
      return {
        topic: topology.moneyTransferConfirmed.name,
        key: keyFor(topology.moneyTransferConfirmed, value, new Date()),
        value: codec.encode('moneyTransferConfirmed', value),
      };
    });
  };
}

describe.each(cases)('ConsumerLoop on %s (%s)', (client, mode) => {
  it('answers every command once, dead-letters garbage and poison, retries what may pass', async () => {
    const topology = topologies.get(`${client}-${mode}`) as Topology;
    const codec = codecs.get(`${client}-${mode}`) as Codec;
    const transactionalId = mode === 'transactional' ? `loop-test-${run}-${client}` : undefined;
    const groupId = `loop-${run}-${client}-${mode}`;
    const state = { failedOnce: false };
    const metrics = createMetrics('test');
    const logger = createLogger('test', 'silent');
    const env = stackEnv();
    const loop = new ConsumerLoop({
      kafka: await createKafkaClient(
        client,
        { brokers: env.KAFKA_BROKERS.split(','), clientId: `loop-test-${client}` },
        logger,
      ),
      codec,
      topology,
      logger,
      metrics,
      groupId,
      topics: ['confirmMoneyTransfer'],
      fromBeginning: true,
      ...(transactionalId ? { transactionalId } : {}),
      handle: answering(topology, codec, state),
    });

    const ids = Array.from({ length: 6 }, () => randomUUID());
    const producer = kafka.producer(producerDefaults);
    await producer.connect();
    const cmt = topology.confirmMoneyTransfer.name;
    const send = (id: string, value: Buffer) =>
      producer.send({ topic: cmt, messages: [{ key: id, value, partition: 0 }] });
    const before = await readTopic(kafka, topology.moneyTransferConfirmed.name);
    await send(ids[0] as string, codec.encode('confirmMoneyTransfer', transfer(ids[0] as string)));
    await send(ids[1] as string, Buffer.from('not avro at all'));
    await send(ids[2] as string, codec.encode('confirmMoneyTransfer', transfer(ids[2] as string, 'flaky')));
    await send(ids[3] as string, codec.encode('confirmMoneyTransfer', transfer(ids[3] as string, 'poison')));
    await send(ids[4] as string, codec.encode('confirmMoneyTransfer', transfer(ids[4] as string)));
    await producer.disconnect();

    await loop.start();
    try {
      const answered = await waitFor(
        async () => {
          const all = await readTopic(kafka, topology.moneyTransferConfirmed.name);
          const mine = all.slice(before.length);
          return mine.length >= 3 ? mine : undefined;
        },
        { timeoutMs: 60_000, what: 'three answers' },
      );
      const answeredIds = (
        await codec.decodeAll(
          'moneyTransferConfirmed',
          answered.map((m) => m.value),
        )
      ).map((d) => (d.ok ? d.value.id.toString('hex') : 'bad'));
      const hex = (i: number) => uuidToBytes(ids[i] as string).toString('hex');
      expect(answeredIds.sort()).toEqual([hex(0), hex(2), hex(4)].sort());
      expect(state.failedOnce).toBe(true);

      const dead = await waitFor(
        async () => {
          const d = await readTopic(kafka, topology.confirmMoneyTransfer.deadLetter);
          return d.length >= 2 ? d : undefined;
        },
        { what: 'two dead letters' },
      );
      const headers = dead.map((d) =>
        Object.fromEntries(Object.entries(d.headers ?? {}).map(([k, v]) => [k, v?.toString()])),
      );
      expect(dead.map((d) => d.key?.toString())).toEqual([ids[1], ids[3]]);
      expect(headers[0]).toMatchObject({
        [DeadLetterHeader.topic]: cmt,
        [DeadLetterHeader.partition]: '0',
        [DeadLetterHeader.offset]: '1',
        [DeadLetterHeader.errorCode]: 'DECODE_FAILED',
      });
      expect(headers[1]).toMatchObject({
        [DeadLetterHeader.offset]: '3',
        [DeadLetterHeader.errorCode]: 'POISON',
      });
      expect(dead[0]?.value?.toString()).toBe('not avro at all');

      const admin = kafka.admin();
      await admin.connect();
      const committed = await waitFor(
        async () => {
          const [t] = await admin.fetchOffsets({ groupId, topics: [cmt] });
          const p0 = t?.partitions.find((p) => p.partition === 0);
          return p0?.offset === '5' ? p0 : undefined;
        },
        { what: 'offset 5 committed' },
      );
      await admin.disconnect();
      expect(committed.offset).toBe('5');
    } finally {
      await loop.stop();
    }
  });
});
