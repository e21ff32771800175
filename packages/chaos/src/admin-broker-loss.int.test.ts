// The admin reads the services lean on after a broker loss (the outbox relay reads its last position with a
// long-lived admin when it settles a new producer), on a real three-broker stack of its own: each of the
// three brokers SIGKILLed in turn while every client's admin, connected before, looks a topic's offsets up.
// librdkafka sends some admin requests to the broker its cached metadata names (the controller, a partition's
// leader) and waits for that broker to come up: such a look-up took 10-20 s, once for every 10 s try, while the
// relay answered nothing (a confluent broker-loss run: 40.7 s without an answer).
import { createKafkaClient, createLogger, type KafkaAdmin } from '@open-bank/runtime';
import { TEST_KAFKA_CLIENTS, waitFor } from '@open-bank/runtime/testing';
import { down, type StackSettings, stackSettings, status, up, wipeProfile } from '@open-bank/stack';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopics, underReplicated } from './broker.ts';
import { BROKER_LOSS_TESTS, testStack } from './test-stacks.ts';

const { profile: PROFILE, portOffset: PORT_OFFSET } = testStack('aloss');
const TOPIC = 'admin-broker-loss';
// A dead broker is fenced 2 s after its last heartbeat (broker.session.timeout.ms); a look-up then needs
// fresh metadata and one more request. The waits this guards against took 10 s and more.
const LOOKUP_LIMIT_MS = 8_000;
const logger = createLogger('admin-broker-loss-test', 'fatal');

describe.runIf(BROKER_LOSS_TESTS)('admin look-ups while a broker of three is down', () => {
  let settings: StackSettings;
  const stackOptions = { env: process.env, log: () => undefined };
  const admins: { name: string; admin: KafkaAdmin }[] = [];
  let kafka: Kafka;

  beforeAll(async () => {
    settings = stackSettings({ profile: PROFILE, brokers: 3, portOffset: PORT_OFFSET }, process.env);
    await down(settings, stackOptions);
    wipeProfile(settings.profile);
    const stack = await up(settings, { ...stackOptions, only: ['kafka'] });
    const brokers = (stack.env.KAFKA_BROKERS ?? '').split(',');
    kafka = new Kafka({ brokers, clientId: 'admin-broker-loss-test', logLevel: logLevel.NOTHING });
    for (const name of TEST_KAFKA_CLIENTS) {
      const client = await createKafkaClient(name, { brokers, clientId: `admin-loss-${name}` }, logger);
      const admin = client.admin();
      await admin.connect();
      admins.push({ name, admin });
    }
    await admins[0]?.admin.createTopics([{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }]);
    // Each admin has its metadata cached, as a service's has long before a fault.
    for (const { admin } of admins) await admin.fetchTopicOffsets(TOPIC);
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled(admins.map(({ admin }) => admin.disconnect()));
    if (settings) {
      await down(settings, stackOptions);
      wipeProfile(settings.profile);
    }
  }, 120_000);

  it("answers a topic's offsets on every client within seconds of each broker's SIGKILL", async () => {
    const took: string[] = [];
    let slowest = 0;
    for (const node of [1, 2, 3]) {
      const part = `kafka-${node}`;
      const pid = (await status(settings, { env: process.env })).find((p) => p.name === part)?.pid;
      if (pid === undefined) throw new Error(`${part} is not running`);
      process.kill(pid, 'SIGKILL');
      const killed = performance.now();
      const results = await Promise.all(
        admins.map(async ({ name, admin }) => {
          const offsets = await admin.fetchTopicOffsets(TOPIC).catch((e: Error) => e);
          const ms = Math.round(performance.now() - killed);
          return {
            name,
            ms,
            outcome: offsets instanceof Error ? offsets.message : `${offsets.length} partitions`,
          };
        }),
      );
      for (const r of results) {
        took.push(`${part} killed: ${r.name} ${r.ms} ms, ${r.outcome}`);
        process.stdout.write(`${took.at(-1)}\n`);
        slowest = Math.max(slowest, r.ms);
      }
      await up(settings, { ...stackOptions, only: [part] });
      // The next kill must find the whole ISR again, or a partition led by it would have no leader at all.
      await waitFor(async () => underReplicated(await clusterTopics(kafka, [TOPIC])) === 0, {
        timeoutMs: 60_000,
        what: `${part} back in sync`,
      });
    }
    expect(took.filter((t) => !t.endsWith(', 3 partitions'))).toEqual([]);
    expect(slowest, took.join('\n')).toBeLessThan(LOOKUP_LIMIT_MS);
  }, 300_000);
});
