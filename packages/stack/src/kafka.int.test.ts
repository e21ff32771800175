import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { stackEnv } from './testing/index.ts';

describe("the stack's Kafka", () => {
  it('answers on KAFKA_BROKERS, refuses auto-created topics and runs transactions', async () => {
    const kafka = new kafkajs.Kafka({
      clientId: 'stack-int-test',
      brokers: stackEnv().KAFKA_BROKERS.split(','),
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `stack-probe-${Date.now()}`;
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBe(stackEnv().KAFKA_BROKERS.split(',').length);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: kafkajs.ConfigResourceTypes.BROKER, name: String(cluster.brokers[0]?.nodeId) }],
      });
      const entries = new Map(configs.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]));
      expect(entries.get('auto.create.topics.enable')).toBe('false');
      expect(entries.get('group.initial.rebalance.delay.ms')).toBe('0');

      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      const producer = kafka.producer({
        transactionalId: `${topic}-tx`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      try {
        const tx = await producer.transaction();
        await tx.send({ topic, messages: [{ key: 'k', value: 'v' }] });
        await tx.commit();
      } finally {
        await producer.disconnect();
      }
      // One record plus the commit marker, which the coordinator writes just after EndTxn returns.
      await expect
        .poll(async () => (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0), {
          timeout: 10_000,
        })
        .toBe(2);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
