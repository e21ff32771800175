import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stackEnv } from '@open-bank/stack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { TEST_KAFKA_CLIENTS } from '../testing/kafka-clients.ts';
import { waitFor } from '../testing/wait.ts';
import { createKafkaClient } from './client.ts';
import { FENCED, KafkaClientError } from './errors.ts';
import { partitionOf } from './murmur2.ts';
import type { Assignment, ConsumedMessage, KafkaAdmin, KafkaClient } from './types.ts';

/**
 * The port's contract, run against every adapter on the real broker: what the services rely on, so a client
 * that passes here can carry the bank. TEST_KAFKA_CLIENTS narrows the list while working on one adapter.
 */
const ADAPTERS = TEST_KAFKA_CLIENTS;

const logger = createLogger('port-test', 'warn');

describe.each(ADAPTERS)('Kafka port on %s', (name) => {
  const run = `${name}_${randomUUID().slice(0, 8)}`;
  const created: string[] = [];
  let client: KafkaClient;
  let admin: KafkaAdmin;

  const topic = async (suffix: string, partitions = 1, configs: Record<string, string> = {}) => {
    const t = `_port_${run}_${suffix}`;
    await admin.createTopics([{ topic: t, numPartitions: partitions, replicationFactor: 1, configs }]);
    created.push(t);
    return t;
  };

  const readAll = async (t: string, from?: ReadonlyMap<number, string>) => {
    const got: ConsumedMessage[] = [];
    await client.readToEnd(t, {
      ...(from ? { from } : {}),
      onMessages: (partition, messages) => {
        for (const m of messages) expect(m.partition).toBe(partition);
        got.push(...messages);
      },
      timeoutMs: 30_000,
    });
    return got;
  };

  beforeAll(async () => {
    const env = stackEnv();
    client = await createKafkaClient(
      name,
      { brokers: env.KAFKA_BROKERS.split(','), clientId: `port-test-${name}` },
      logger,
    );
    admin = client.admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics(created).catch(() => undefined);
    await admin?.disconnect();
  });

  it('puts a keyed record on the Java client murmur2 partition and keeps value, key and headers', async () => {
    const t = await topic('keys', 6);
    const producer = client.producer();
    await producer.connect();
    const keys = Array.from({ length: 60 }, (_, i) => `NL${String(i).padStart(2, '0')}OPEN0${i * 7919}`);
    await producer.send(
      keys.map((key, i) => ({ topic: t, key, value: Buffer.from(`v${i}`), headers: { 'ob-test': `h${i}` } })),
    );
    await producer.disconnect();

    const got = await readAll(t);
    expect(got).toHaveLength(keys.length);
    for (const m of got) {
      const key = m.key?.toString() ?? '';
      const i = keys.indexOf(key);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(m.partition).toBe(partitionOf(key, 6));
      expect(m.value?.toString()).toBe(`v${i}`);
      expect(m.headers['ob-test']).toBe(`h${i}`);
      expect(Number(m.timestamp)).toBeGreaterThan(Date.now() - 120_000);
    }
  });

  it('reads to the end of a partition that ends in transaction markers, and from a given offset', async () => {
    const t = await topic('markers', 2);
    const tx = client.transactionalProducer({ transactionalId: `port-${run}-markers` });
    await tx.connect();
    for (let round = 0; round < 3; round++) {
      const txn = await tx.begin();
      await txn.send([{ topic: t, key: 'a', value: Buffer.from(`a${round}`) }]);
      await txn.commit();
    }
    const aborted = await tx.begin();
    await aborted.send([{ topic: t, key: 'a', value: Buffer.from('aborted') }]);
    await aborted.abort();
    await tx.disconnect();

    const all = await readAll(t);
    expect(all.map((m) => m.value?.toString())).toEqual(['a0', 'a1', 'a2']);
    const second = all[1] as ConsumedMessage;
    const tail = await readAll(t, new Map([[second.partition, second.offset]]));
    expect(tail.map((m) => m.value?.toString())).toEqual(['a1', 'a2']);
    // An empty topic and one read past its end both resolve at once.
    expect(await readAll(await topic('empty'))).toEqual([]);
  });

  it('commits a consumed offset inside the transaction, and a read-committed group never sees aborted records', async () => {
    const input = await topic('in');
    const output = await topic('out');
    const groupId = `port-${run}-group`;
    const producer = client.producer();
    await producer.connect();
    await producer.send(['x', 'y', 'z'].map((v) => ({ topic: input, key: v, value: Buffer.from(v) })));
    await producer.disconnect();

    const consumer = client.consumer({ groupId, topics: [input], maxWaitTimeMs: 100 });
    const tx = client.transactionalProducer({ transactionalId: `port-${run}-ctp` });
    await tx.connect();
    await consumer.connect();
    const seen: string[] = [];
    let failedOnce = false;
    let abortedOnce = false;
    await consumer.run(async (batch) => {
      expect(batch.topic).toBe(input);
      // The first attempt fails: the consumer must deliver the batch again from its first record.
      if (!failedOnce) {
        failedOnce = true;
        throw new Error('first attempt fails');
      }
      seen.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
      const last = batch.messages[batch.messages.length - 1] as ConsumedMessage;
      const next = (BigInt(last.offset) + 1n).toString();
      if (!abortedOnce) {
        abortedOnce = true;
        const txn = await tx.begin();
        await txn.send(
          batch.messages.map((m) => ({ topic: output, key: null, value: Buffer.from(`aborted-${m.value}`) })),
        );
        await txn.abort();
      }
      const txn = await tx.begin();
      await txn.send(
        batch.messages.map((m) => ({ topic: output, key: null, value: Buffer.from(`out-${m.value}`) })),
      );
      await txn.sendOffsets(consumer, [{ topic: input, partition: batch.partition, offset: next }]);
      await txn.commit();
    });
    await waitFor(
      async () => {
        const [o] = await admin.fetchGroupOffsets(groupId, input);
        return o?.offset === '3';
      },
      { timeoutMs: 30_000 },
    );
    expect(consumer.assignment()).toEqual([{ topic: input, partitions: [0] }]);
    await consumer.disconnect();
    await tx.disconnect();
    expect(seen.slice(0, 3)).toEqual(['x', 'y', 'z']);

    const out = (await readAll(output)).map((m) => m.value?.toString());
    expect(out).toEqual(['out-x', 'out-y', 'out-z']);
    const [high] = await admin.fetchTopicOffsets(output);
    // Two transactions' records and markers: the aborted records stay in the log, hidden.
    expect(BigInt(high?.high ?? '0')).toBeGreaterThanOrEqual(8n);
  });

  it('keeps every record of concurrent sends, hides each of several aborted transactions, and retries a failed batch in order', async () => {
    const t = await topic('aborts', 3);
    const producer = client.producer();
    await producer.connect();
    // Concurrent sends to one partition: an idempotent producer must not drop any (their order is not promised).
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        producer.send([{ topic: t, key: 'same', value: Buffer.from(`c${i}`) }]),
      ),
    );
    await producer.disconnect();
    const tx = client.transactionalProducer({ transactionalId: `port-${run}-aborts` });
    await tx.connect();
    for (const [i, keep] of [
      [0, false],
      [1, true],
      [2, false],
      [3, true],
    ] as const) {
      const txn = await tx.begin();
      await txn.send([{ topic: t, key: 'same', value: Buffer.from(`t${i}`) }]);
      await txn.send([{ topic: t, key: 'other', value: Buffer.from(`o${i}`) }]);
      if (keep) await txn.commit();
      else await txn.abort();
    }
    await tx.disconnect();
    const concurrent = Array.from({ length: 20 }, (_, i) => `c${i}`).sort();
    const inOrder = (values: readonly string[]) => [...values.slice(0, 20)].sort().concat(values.slice(20));
    const expected = [...concurrent, 't1', 't3'];
    const samePartition = (await readAll(t)).filter((m) => m.key?.toString() === 'same');
    expect(inOrder(samePartition.map((m) => m.value?.toString() ?? ''))).toEqual(expected);

    const seen = new Map<number, string[]>();
    const failed = new Set<number>();
    const consumer = client.consumer({
      groupId: `port-${run}-aborts`,
      topics: [t],
      maxWaitTimeMs: 100,
      partitionsConsumedConcurrently: 3,
    });
    await consumer.connect();
    await consumer.run(async (batch) => {
      // Each partition's first batch fails once: it comes again from its first record, in order.
      if (!failed.has(batch.partition)) {
        failed.add(batch.partition);
        throw new Error('first attempt fails');
      }
      const list = seen.get(batch.partition) ?? [];
      list.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
      seen.set(batch.partition, list);
    });
    const same = partitionOf('same', 3);
    const other = partitionOf('other', 3);
    await waitFor(
      () => (seen.get(same)?.length ?? 0) >= expected.length && (seen.get(other)?.length ?? 0) >= 2,
      {
        timeoutMs: 30_000,
      },
    );
    await consumer.disconnect();
    // Retried from the failed batch's first record: nothing skipped, nothing twice, in the log's order.
    expect(inOrder(seen.get(same) ?? [])).toEqual(expected);
    expect(seen.get(same)?.slice(0, 20)).toEqual(samePartition.slice(0, 20).map((m) => m.value?.toString()));
    expect(seen.get(other)).toEqual(['o1', 'o3']);
  });

  it('fences the older of two transactional producers with one id', async () => {
    const t = await topic('fence');
    const id = `port-${run}-fence`;
    const old = client.transactionalProducer({ transactionalId: id });
    await old.connect();
    const open = await old.begin();
    await open.send([{ topic: t, key: 'k', value: Buffer.from('zombie') }]);
    const fresh = client.transactionalProducer({ transactionalId: id });
    await fresh.connect();
    const error = await open.commit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KafkaClientError);
    expect((error as KafkaClientError).code).toBe(FENCED);
    expect((error as KafkaClientError).retryable).toBe(false);
    const txn = await fresh.begin();
    await txn.send([{ topic: t, key: 'k', value: Buffer.from('alive') }]);
    await txn.commit();
    await fresh.disconnect();
    await old.disconnect().catch(() => undefined);
    expect((await readAll(t)).map((m) => m.value?.toString())).toEqual(['alive']);
  });

  it('commits offsets by hand and resumes a group where it committed', async () => {
    const t = await topic('resume', 2);
    const groupId = `port-${run}-resume`;
    const producer = client.producer({ idempotent: false });
    await producer.connect();
    await producer.send(
      Array.from({ length: 10 }, (_, i) => ({ topic: t, key: `k${i}`, value: Buffer.from(`${i}`) })),
    );

    const consume = async (until: (seen: string[]) => boolean) => {
      const seen: string[] = [];
      const consumer = client.consumer({
        groupId,
        topics: [t],
        maxWaitTimeMs: 100,
        partitionsConsumedConcurrently: 2,
      });
      await consumer.connect();
      await consumer.run(async (batch) => {
        seen.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
        const last = batch.messages[batch.messages.length - 1] as ConsumedMessage;
        expect(batch.stale()).toBe(false);
        await batch.heartbeat();
        await consumer.commitOffsets([
          { topic: t, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
      });
      await waitFor(() => until(seen), { timeoutMs: 30_000 });
      await consumer.disconnect();
      return seen;
    };
    const first = await consume((s) => s.length >= 10);
    expect([...first].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await producer.send([{ topic: t, key: 'k0', value: Buffer.from('late') }]);
    await producer.disconnect();
    const second = await consume((s) => s.includes('late'));
    expect(second).toEqual(['late']);
  });

  it('reports its assignment when it joins, and holds records back while paused until resumed', async () => {
    const t = await topic('pause');
    const consumer = client.consumer({ groupId: `port-${run}-pause`, topics: [t], maxWaitTimeMs: 100 });
    const assignments: Assignment[][] = [];
    consumer.onAssignment((a) => assignments.push(a));
    const seen: string[] = [];
    await consumer.connect();
    await consumer.run(async (batch) => {
      seen.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
    });
    await waitFor(() => consumer.assignment().length > 0, { timeoutMs: 30_000 });
    expect(consumer.assignment()).toEqual([{ topic: t, partitions: [0] }]);
    expect(assignments.at(-1)).toEqual([{ topic: t, partitions: [0] }]);
    consumer.pause();
    const producer = client.producer();
    await producer.connect();
    await producer.send([{ topic: t, key: 'k', value: Buffer.from('held') }]);
    await producer.disconnect();
    await sleep(1_000);
    expect(seen).toEqual([]);
    consumer.resume();
    await waitFor(() => seen.includes('held'), { timeoutMs: 30_000 });
    await consumer.disconnect();
    expect(seen).toEqual(['held']);
  });

  it('manages topics: configs kept when others change, partitions grown, metadata, clear errors', async () => {
    const t = await topic('admin', 2, { 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    await admin.alterTopicConfigs(t, { 'min.compaction.lag.ms': '1000' });
    expect(
      await admin.describeTopicConfigs(t, ['cleanup.policy', 'retention.ms', 'min.compaction.lag.ms']),
    ).toEqual({
      'cleanup.policy': 'compact',
      'retention.ms': '-1',
      'min.compaction.lag.ms': '1000',
    });
    await admin.createPartitions(t, 4);
    const meta = await admin.metadata([t]);
    expect(meta.brokers.length).toBeGreaterThan(0);
    expect(meta.topics.find((x) => x.name === t)?.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect((await admin.fetchTopicOffsets(t)).map((p) => [p.partition, p.low, p.high])).toEqual([
      [0, '0', '0'],
      [1, '0', '0'],
      [2, '0', '0'],
      [3, '0', '0'],
    ]);
    expect((await admin.fetchGroupOffsets(`port-${run}-nobody`, t)).map((o) => o.offset)).toEqual([
      '-1',
      '-1',
      '-1',
      '-1',
    ]);
    // Creating an existing topic leaves it as it is; shrinking one is refused for good, with Kafka's name.
    await admin.createTopics([{ topic: t, numPartitions: 1, replicationFactor: 1 }]);
    expect((await admin.fetchTopicOffsets(t)).length).toBe(4);
    const shrink = await admin.createPartitions(t, 2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(shrink).toBeInstanceOf(KafkaClientError);
    expect((shrink as KafkaClientError).code).toBe('KAFKA_INVALID_PARTITIONS');
    expect((shrink as KafkaClientError).retryable).toBe(false);
  });
});
