import { randomUUID } from 'node:crypto';
import { untilTopicKnown } from '@open-bank/contract';
import kafkajs, { type Admin, type Consumer, type Producer } from 'kafkajs';
import { StorageTopicError, StoreError } from './errors.ts';
import type { Logger } from './logger.ts';
import { decodeRecord, encodeRecord, type LogRecord } from './records.ts';

export interface KafkaStoreOptions {
  brokers: readonly string[];
  clientId: string;
  topic: string;
  logger: Logger;
  /** How long start-up may take to read the topic to its end (Confluent's kafkastore.init.timeout.ms). */
  initTimeoutMs?: number;
}

export interface LoadStats {
  records: number;
  skipped: number;
  ms: number;
}

// kafkajs is CommonJS and Node's ESM loader does not see all of its named exports.
const { ConfigResourceTypes, Kafka, logLevel, Partitioners } = kafkajs;
type Kafka = InstanceType<typeof Kafka>;

const PARTITION = 0;

function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: { level: number; log: { message: string; [k: string]: unknown } }) => {
      const { message, ...rest } = log;
      const entry = { component: 'kafkajs', ...rest };
      if (level === logLevel.ERROR) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else logger.debug(entry, message);
    };
}

/**
 * The registry's storage: one compacted single-partition topic, as Confluent's registry keeps it.
 * Start-up reads it from the beginning up to a marker record written for the purpose, so the state
 * is complete before anything is served; afterwards this process is the only writer (one registry
 * instance per topic is assumed), so it applies its own acknowledged writes and stops consuming.
 */
export class KafkaStore {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private connected = false;

  constructor(private readonly options: KafkaStoreOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(options.logger),
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.admin = this.kafka.admin();
    // One request in flight keeps records in order across retries; a retried duplicate is harmless
    // because every record sets a key to a value. (No idempotent producer: it wants endless retries.)
    this.producer = this.kafka.producer({
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connects, creates the topic if missing, and feeds every stored record to `apply` in log order. */
  async start(apply: (record: LogRecord) => void): Promise<LoadStats> {
    const started = Date.now();
    try {
      await this.admin.connect();
      await this.producer.connect();
      this.connected = true;
      await this.ensureTopic();
      // The producer reads the topic's metadata from whichever broker it asks, which may not know a topic
      // created a moment ago (seen on a fresh three-broker stack); the marker is a NOOP, so a second is harmless.
      const target = await untilTopicKnown(() => this.writeMarker());
      const { records, skipped } = await this.readUpTo(target, apply);
      return { records, skipped, ms: Date.now() - started };
    } catch (e) {
      if (e instanceof StorageTopicError || e instanceof StoreError) throw e;
      throw new StoreError(
        `Could not load the storage topic '${this.options.topic}': ${(e as Error).message}`,
        e,
      );
    }
  }

  async write(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        timeout: 30_000,
        messages: records.map((r) => {
          const raw = encodeRecord(r);
          return { partition: PARTITION, key: raw.key, value: raw.value };
        }),
      });
    } catch (e) {
      throw new StoreError(`Write to '${this.options.topic}' failed: ${(e as Error).message}`, e);
    }
  }

  async stop(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private async ensureTopic(): Promise<void> {
    const { topic } = this.options;
    const existing = await this.admin.listTopics();
    if (!existing.includes(topic)) {
      const { brokers } = await this.admin.describeCluster();
      const replicationFactor = Math.min(3, brokers.length);
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            replicationFactor,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      this.options.logger.info({ topic, replicationFactor }, 'created the storage topic');
    }
    const metadata = await untilTopicKnown(() => this.admin.fetchTopicMetadata({ topics: [topic] }));
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw new StorageTopicError(
        `The storage topic '${topic}' must have exactly 1 partition, it has ${partitions}`,
      );
    }
    const configs = await untilTopicKnown(() =>
      this.admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
      }),
    );
    const policy = configs.resources[0]?.configEntries.find(
      (c) => c.configName === 'cleanup.policy',
    )?.configValue;
    if (policy !== 'compact') {
      throw new StorageTopicError(
        `The storage topic '${topic}' must have cleanup.policy=compact, it has '${policy ?? 'unknown'}'`,
      );
    }
  }

  /**
   * Writes a NOOP record (as Confluent does) and returns its offset: reading up to it is reading
   * everything, even when compaction removed the records that used to end the log.
   */
  private async writeMarker(): Promise<bigint> {
    const raw = encodeRecord({ type: 'NOOP' });
    const [meta] = await this.producer.send({
      topic: this.options.topic,
      acks: -1,
      messages: [{ partition: PARTITION, key: raw.key, value: raw.value }],
    });
    if (!meta?.baseOffset)
      throw new StoreError('The broker did not report the offset of the start-up marker');
    return BigInt(meta.baseOffset);
  }

  private async readUpTo(
    target: bigint,
    apply: (record: LogRecord) => void,
  ): Promise<{ records: number; skipped: number }> {
    const { topic, clientId } = this.options;
    // kafkajs consumers always join a group: a throw-away one that never commits offsets.
    const groupId = `${clientId}-loader-${randomUUID()}`;
    const consumer: Consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
    });
    let records = 0;
    let skipped = 0;
    let finish!: () => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    done.catch(() => undefined);
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) fail(event.payload.error);
    });
    const timeoutMs = this.options.initTimeoutMs ?? 60_000;
    const timer = setTimeout(
      () => fail(new StoreError(`Reading '${topic}' to its end took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      let reached = false;
      const setup = (async () => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset }) => {
            for (const message of batch.messages) {
              if (reached) return;
              const offset = BigInt(message.offset);
              if (message.key) {
                if (this.applyMessage(message.offset, message.key, message.value, apply)) records++;
                else skipped++;
              }
              resolveOffset(message.offset);
              if (offset >= target) {
                reached = true;
                finish();
              }
            }
          },
        });
      })();
      // The time limit and a crash must also end a start-up stuck in connecting.
      setup.catch(() => undefined);
      await Promise.race([setup, done]);
      await done;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
      // Leave no empty group behind; it would expire on its own, so a failure here does not matter.
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return { records, skipped };
  }

  /** Decodes and applies one stored record; false when it was skipped. */
  private applyMessage(
    offset: string,
    key: Buffer,
    value: Buffer | null,
    apply: (record: LogRecord) => void,
  ): boolean {
    const decoded = decodeRecord(key.toString('utf8'), value === null ? null : value.toString('utf8'));
    if (decoded.ok) {
      apply(decoded.record);
      return true;
    }
    if (decoded.ignored) this.options.logger.debug({ offset, keytype: decoded.keytype }, 'skipped record');
    else this.options.logger.warn({ offset, reason: decoded.reason }, 'skipped unreadable record');
    return false;
  }
}
