import { randomUUID } from 'node:crypto';
import { stackEnv } from '@open-bank/stack/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { TEST_KAFKA_CLIENTS } from '../testing/kafka-clients.ts';
import { waitFor } from '../testing/wait.ts';
import { createKafkaClient } from './client.ts';
import { FENCED, KafkaClientError } from './errors.ts';
import type { Assignment, KafkaAdmin, KafkaClient, KafkaConsumer } from './types.ts';

/**
 * Static group membership (KIP-345) on the clients that have it: a graceful stop still hands the partitions
 * over at once (a static member's close alone would leave them waiting for the session timeout), and a
 * second live member under the same instance id fences the first. kafkajs has no static membership.
 */
const STATIC = TEST_KAFKA_CLIENTS.filter((c) => c !== 'kafkajs');
// Long enough that a member left behind shows: a hand-over waiting for the session timeout takes 30 s.
const SESSION_MS = 30_000;
const logger = createLogger('static-membership-test', 'warn');

const owned = (a: Assignment[]) => a.reduce((n, t) => n + t.partitions.length, 0);

describe.skipIf(STATIC.length === 0).each(STATIC)('static group membership on %s', (name) => {
  const run = `${name}_${randomUUID().slice(0, 8)}`;
  const created: string[] = [];
  const open: KafkaConsumer[] = [];
  let client: KafkaClient;
  let admin: KafkaAdmin;

  const member = async (groupId: string, topic: string, groupInstanceId: string) => {
    const consumer = client.consumer({
      groupId,
      topics: [topic],
      groupInstanceId,
      sessionTimeoutMs: SESSION_MS,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 100,
    });
    open.push(consumer);
    await consumer.connect();
    await consumer.run(async () => undefined);
    return consumer;
  };

  beforeAll(async () => {
    const env = stackEnv();
    client = await createKafkaClient(
      name,
      { brokers: env.KAFKA_BROKERS.split(','), clientId: `static-test-${name}` },
      logger,
    );
    admin = client.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.disconnect()));
    if (created.length > 0) await admin.deleteTopics(created).catch(() => undefined);
    await admin?.disconnect();
  });

  const topic = async (suffix: string, partitions: number) => {
    const t = `_static_${run}_${suffix}`;
    await admin.createTopics([{ topic: t, numPartitions: partitions, replicationFactor: 1 }]);
    created.push(t);
    return t;
  };

  it('hands a gracefully stopped member partitions to the others at once, not after the session timeout', async () => {
    const t = await topic('leave', 4);
    const groupId = `static-${run}-leave`;
    const a = await member(groupId, t, `${run}-a`);
    await waitFor(() => owned(a.assignment()) === 4, { timeoutMs: 30_000, what: 'a to own all partitions' });
    const b = await member(groupId, t, `${run}-b`);
    await waitFor(() => owned(a.assignment()) > 0 && owned(b.assignment()) > 0 && owned(b.assignment()) < 4, {
      timeoutMs: 30_000,
      what: 'a and b to share the partitions',
    });

    const stopped = performance.now();
    await a.disconnect();
    await waitFor(() => owned(b.assignment()) === 4, {
      timeoutMs: SESSION_MS,
      what: 'b to own all partitions',
    });
    const handOverMs = performance.now() - stopped;
    // The rebalance itself takes a heartbeat or two; the session timeout would be 30 s.
    expect(handOverMs).toBeLessThan(8_000);
  });

  it('fences a live member when another joins under its instance id, which takes its partitions', async () => {
    const t = await topic('fence', 2);
    const groupId = `static-${run}-fence`;
    const instance = `${run}-same`;
    const old = await member(groupId, t, instance);
    const crashes: Error[] = [];
    old.onCrash((e) => crashes.push(e));
    await waitFor(() => owned(old.assignment()) === 2, { timeoutMs: 30_000, what: 'the first to own all' });

    const joined = performance.now();
    const next = await member(groupId, t, instance);
    await waitFor(() => owned(next.assignment()) === 2, { timeoutMs: 20_000, what: 'the second to own all' });
    await waitFor(() => crashes.length > 0, { timeoutMs: 20_000, what: 'the first member to be fenced' });
    expect(crashes[0]).toBeInstanceOf(KafkaClientError);
    expect((crashes[0] as KafkaClientError).code).toBe(FENCED);
    expect(performance.now() - joined).toBeLessThan(SESSION_MS);

    // The fenced member's stop must not remove its successor from the group.
    await old.disconnect();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(owned(next.assignment())).toBe(2);
  });
});
