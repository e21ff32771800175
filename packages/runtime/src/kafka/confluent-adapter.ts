import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaJS, RdKafka } from '@confluentinc/kafka-javascript';
import type { Logger } from 'pino';
import {
  commonSettings,
  consumerSettings,
  fatalConsumerError,
  mapConfluentError,
  producerSettings,
  severityLevel,
  transactionalSettings,
} from './confluent-mapping.ts';
import { FENCED, type KafkaClientError, kafkaError, mapped, READ_TRY_MS, retryRead } from './errors.ts';
import { offsetsByTopic, toTopicMessages } from './grouping.ts';
import { logInto } from './logging.ts';
import { readRanges } from './read-ranges.ts';
import type {
  Assignment,
  ConsumedMessage,
  ConsumerOptions,
  KafkaAdmin,
  KafkaClient,
  KafkaConnectionConfig,
  KafkaConsumer,
  KafkaProducer,
  KafkaTransaction,
  PartitionOffsets,
  ProducerOptions,
  ProducerRecord,
  ReadToEndOptions,
  TransactionalProducer,
  TransactionalProducerOptions,
} from './types.ts';

/*
 * The adapter of Confluent's librdkafka client. Producers and group consumers use its KafkaJS-compatible
 * layer: it brings what the port's consumer needs and node-rdkafka leaves to the caller (per-partition batches
 * run concurrently, a thrown batch fetched again from its first record, rebalance-safe caching, sendOffsets
 * with the consumer's group metadata). The admin and readToEnd use the node-rdkafka API underneath: the compat
 * admin lacks createPartitions and the isolation level of listOffsets is only settable there, and readToEnd
 * needs partition-EOF events (the only sign a partition ending in transaction markers is read) and assign()
 * without a group.
 */

const codeNames: ReadonlyMap<number, string> = new Map(
  Object.entries(RdKafka.CODES.ERRORS).map(([name, code]) => [code, name]),
);
const { ERR__ASSIGN_PARTITIONS } = RdKafka.CODES.ERRORS;

const mapError = (error: unknown): KafkaClientError => mapConfluentError(error, codeNames);
const call = <T>(fn: () => Promise<T>) => mapped(mapError, fn);

/** A node-rdkafka callback call as a promise of its result. */
function callback<T = void>(fn: (cb: (err: unknown, result: T) => void) => void): Promise<T> {
  return call(
    () =>
      new Promise<T>((resolve, reject) => {
        fn((err, result) => (err ? reject(err) : resolve(result)));
      }),
  );
}

type Log = ReturnType<typeof logInto>;

/** The compat layer's logger interface, into pino. */
function compatLogger(log: Log) {
  const logger = {
    info: (message: string, extra?: Record<string, unknown>) => log('info', message, extra),
    warn: (message: string, extra?: Record<string, unknown>) => log('warn', message, extra),
    error: (message: string, extra?: Record<string, unknown>) => log('error', message, extra),
    debug: (message: string, extra?: Record<string, unknown>) => log('debug', message, extra),
    setLogLevel: () => undefined,
    namespace: () => logger,
  };
  return logger;
}

/** node-rdkafka's log event, into pino. */
const rdkafkaLog = (log: Log) => (event: { severity: number; fac: string; message: string }) =>
  log(severityLevel(event.severity), event.message, { fac: event.fac });

async function sendAll(producer: KafkaJS.Producer, records: readonly ProducerRecord[]) {
  if (records.length === 0) return;
  await call(() => producer.sendBatch({ topicMessages: toTopicMessages(records) }));
}

type CompatHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined;

function compatHeaders(headers: CompatHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (one !== undefined) out[k] = one.toString();
  }
  return out;
}

/** node-rdkafka's headers: a list of one-entry objects, a key may repeat (the last one wins, as in kafkajs). */
function rdkafkaHeaders(headers: RdKafka.MessageHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) for (const [k, v] of Object.entries(h)) out[k] = v.toString();
  return out;
}

function rdkafkaMessage(m: RdKafka.Message): ConsumedMessage {
  return {
    partition: m.partition,
    offset: String(m.offset),
    key: m.key === undefined || m.key === null ? null : Buffer.from(m.key),
    value: m.value ?? null,
    headers: rdkafkaHeaders(m.headers),
    timestamp: String(m.timestamp ?? -1),
  };
}

/** The node-rdkafka client under a compat-layer consumer (the package's own producer reaches it the same way). */
interface WithInternalClient {
  _getInternalClient(): RdKafka.KafkaConsumer | undefined;
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

class ConfluentConsumer implements KafkaConsumer {
  readonly groupId: string;
  readonly native: KafkaJS.Consumer;
  #options: ConsumerOptions;
  #assignment: Assignment[] = [];
  /** Per partition, how often it was taken away: a batch begun before the latest revoke is stale. */
  #revokes = new Map<string, number>();
  #closing = false;
  #paused = false;
  /** A newer static member took this one's instance id: it must not remove its successor when it stops. */
  #fenced = false;
  #crashed = false;
  #subscribed = false;
  /** Loaded only for a static member (the protocol layer it uses is another client's), ahead of the stop. */
  readonly #leaver: Promise<typeof import('./static-member.ts')> | undefined;
  readonly #config: KafkaConnectionConfig;
  readonly #log: Log;
  #assignmentListeners: ((a: Assignment[]) => void)[] = [];
  #crashListeners: ((e: Error) => void)[] = [];

  constructor(kafka: KafkaJS.Kafka, options: ConsumerOptions, config: KafkaConnectionConfig, log: Log) {
    this.groupId = options.groupId;
    this.#options = options;
    this.#config = config;
    this.#log = log;
    this.#leaver = options.groupInstanceId ? import('./static-member.ts') : undefined;
    // Awaited at the stop; a failed load must not count as unhandled before then.
    this.#leaver?.catch(() => undefined);
    this.native = kafka.consumer({
      ...consumerSettings(options),
      // Called before the compat layer applies the new assignment; it goes on with its default handling.
      rebalance_cb: (err: { code: number }, partitions: { topic: string; partition: number }[]) =>
        this.#rebalanced(err.code === ERR__ASSIGN_PARTITIONS, partitions),
    } as KafkaJS.ConsumerConstructorConfig);
  }

  #rebalanced(assigned: boolean, partitions: { topic: string; partition: number }[]) {
    if (assigned) {
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      this.#assignment = [...byTopic].map(([topic, list]) => ({
        topic,
        partitions: list.sort((a, b) => a - b),
      }));
    } else {
      for (const p of partitions) {
        const key = partitionKey(p.topic, p.partition);
        this.#revokes.set(key, (this.#revokes.get(key) ?? 0) + 1);
      }
      this.#assignment = [];
    }
    const assignment = this.#assignment;
    // After the compat layer has applied the assignment: a pause must reach the partitions just assigned.
    setImmediate(() => {
      if (assigned && this.#paused) this.#pauseNow();
      for (const l of this.#assignmentListeners) l(assignment);
    });
  }

  async connect() {
    await call(() => this.native.connect());
    // librdkafka's consumer recovers on its own from everything but a fatal error, which the compat layer
    // only logs: its node-rdkafka client's error events and consume calls are where a crash shows.
    const client = (this.native as unknown as WithInternalClient)._getInternalClient();
    client?.on('event.error', (error: RdKafka.LibrdKafkaError) => this.#onError(error));
    // A fatal consumer error (a fenced static member) reaches consume() alone, where the compat layer only
    // logs it and consumes again, for ever: the consume calls are watched here.
    if (client) {
      const consume = client.consume.bind(client) as (
        n: number,
        cb: (err: unknown, m: unknown) => void,
      ) => void;
      (client as unknown as { consume: typeof consume }).consume = (n, cb) =>
        consume(n, (err, messages) => {
          if (err) this.#onError(err);
          cb(err, messages);
        });
    }
  }

  #onError(error: unknown) {
    if (this.#crashed) return;
    const mappedError = fatalConsumerError(error, codeNames, this.#options.groupInstanceId !== undefined);
    if (!mappedError) return;
    this.#crashed = true;
    if (mappedError.code === FENCED) this.#fenced = true;
    for (const l of this.#crashListeners) l(mappedError);
  }

  async run(eachBatch: Parameters<KafkaConsumer['run']>[0]) {
    await call(() => this.native.subscribe({ topics: [...this.#options.topics] }));
    this.#subscribed = true;
    await call(() =>
      this.native.run({
        // Resolved when eachBatch returns; when it throws, the compat layer seeks back to the batch's first
        // record, so the partition is fetched again from there.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, isRunning, isStale }) => {
          if (batch.messages.length === 0 || !isRunning() || isStale() || this.#closing) return;
          const key = partitionKey(batch.topic, batch.partition);
          const revokes = this.#revokes.get(key) ?? 0;
          const stale = () =>
            this.#closing || !isRunning() || isStale() || (this.#revokes.get(key) ?? 0) !== revokes;
          const last = batch.messages[batch.messages.length - 1];
          const high = BigInt(batch.highWatermark);
          try {
            await eachBatch({
              topic: batch.topic,
              partition: batch.partition,
              // Before the client has seen the partition's watermarks it reports -1001.
              highWatermark:
                high >= 0n ? batch.highWatermark : (BigInt(last?.offset ?? '-1') + 1n).toString(),
              messages: batch.messages.map((m) => ({
                partition: batch.partition,
                offset: m.offset,
                key: m.key ?? null,
                value: m.value ?? null,
                headers: compatHeaders(m.headers as CompatHeaders),
                timestamp: m.timestamp,
              })),
              // librdkafka heartbeats from its own thread, whatever the batch does.
              heartbeat: async () => undefined,
              stale,
            });
          } catch (error) {
            // The compat layer seeks back at once; a short pause keeps a failing batch from spinning.
            await sleep(100);
            throw error;
          }
        },
      }),
    );
  }

  commitOffsets(offsets: Parameters<KafkaConsumer['commitOffsets']>[0]) {
    return call(() =>
      this.native.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
      ),
    );
  }

  assignment() {
    return this.#assignment;
  }

  onAssignment(listener: (a: Assignment[]) => void) {
    this.#assignmentListeners.push(listener);
  }

  onCrash(listener: (e: Error) => void) {
    this.#crashListeners.push(listener);
  }

  #pauseNow() {
    try {
      this.native.pause(this.#options.topics.map((topic) => ({ topic })));
    } catch {
      // Not connected or nothing assigned yet: the next assignment applies the pause.
    }
  }

  /** The compat layer pauses only partitions it holds; a later assignment is paused when it arrives. */
  pause() {
    this.#paused = true;
    this.#pauseNow();
  }

  resume() {
    this.#paused = false;
    try {
      this.native.resume(this.#options.topics.map((topic) => ({ topic })));
    } catch {
      // Not connected: nothing is paused.
    }
  }

  async disconnect() {
    if (this.#closing) return;
    this.#closing = true;
    await call(() => this.native.disconnect());
    const instance = this.#options.groupInstanceId;
    if (!instance || !this.#subscribed || this.#fenced || !this.#leaver) return;
    // librdkafka sends no LeaveGroup when a static member closes: without this its partitions would wait
    // for the session timeout. A failure here costs only that wait, so it is logged, not thrown.
    try {
      const { removeStaticMember } = await this.#leaver;
      await removeStaticMember(this.#config, this.groupId, instance);
    } catch (error) {
      this.#log(
        'warn',
        'could not remove the static member from its group; its partitions wait for the session timeout',
        {
          groupId: this.groupId,
          groupInstanceId: instance,
          error: String(error),
        },
      );
    }
  }
}

/** The @confluentinc/kafka-javascript 1.10 adapter: librdkafka underneath, KIP-447 offsets in transactions. */
export function confluentClient(config: KafkaConnectionConfig, logger: Logger): KafkaClient {
  const log = logInto(logger, 'confluent');
  const common = commonSettings(config.brokers, config.clientId);
  const kafka = new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...config.brokers],
      clientId: config.clientId,
      logger: compatLogger(log),
      logLevel: KafkaJS.logLevel.INFO,
    },
    ...common,
  } as KafkaJS.CommonConstructorConfig);

  return {
    name: 'confluent',
    producer(options: ProducerOptions = {}): KafkaProducer {
      const producer = kafka.producer(producerSettings(options) as KafkaJS.ProducerConstructorConfig);
      return {
        connect: () => call(() => producer.connect()),
        send: (records) => sendAll(producer, records),
        disconnect: () => call(() => producer.disconnect()),
      };
    },
    transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer {
      const producer = kafka.producer(transactionalSettings(options) as KafkaJS.ProducerConstructorConfig);
      return {
        // The compat layer's connect runs librdkafka's initTransactions, which registers the id with its
        // coordinator (fencing an earlier holder, aborting its open transaction) before it resolves.
        connect: () => call(() => producer.connect()),
        begin: async (): Promise<KafkaTransaction> => {
          const txn = await call(() => producer.transaction());
          return {
            send: (records) => sendAll(txn, records),
            sendOffsets: (consumer, offsets) => {
              if (!(consumer instanceof ConfluentConsumer))
                throw kafkaError(
                  '_INVALID_ARG',
                  'sendOffsets needs a consumer of this client',
                  false,
                  undefined,
                );
              // Passing the consumer lets librdkafka send its group metadata (KIP-447): a zombie is fenced.
              return call(() =>
                txn.sendOffsets({ consumer: consumer.native, topics: offsetsByTopic(offsets) }),
              );
            },
            commit: () => call(() => txn.commit()),
            abort: () => call(() => txn.abort()),
          };
        },
        disconnect: () => call(() => producer.disconnect()),
      };
    },
    consumer: (options) => new ConfluentConsumer(kafka, options, config, log),
    readToEnd: (topic, options) => readToEnd(config, common, log, logger, topic, options),
    admin: () => confluentAdmin(config, common, log, logger),
  };
}

const REQUEST_MS = 10_000;

/** Runs a read again on retryable errors, for up to READ_RETRY_MS. */
const retrying = <T>(fn: () => Promise<T>): Promise<T> => retryRead(fn, 50);

/** The node-rdkafka admin client, with the few conversions the port needs. */
function confluentAdmin(
  config: KafkaConnectionConfig,
  common: ReturnType<typeof commonSettings>,
  log: Log,
  logger: Logger,
): KafkaAdmin {
  let admin: RdKafka.IAdminClient | undefined;
  const client = () => {
    if (!admin) throw kafkaError('_STATE', 'the admin client is not connected', false, undefined);
    return admin;
  };
  const describe = async (topics: readonly string[]) => {
    const found = await callback<RdKafka.TopicDescription[]>((cb) =>
      client().describeTopics([...topics], { timeout: REQUEST_MS }, cb),
    );
    const failed = found.find((t) => t.error);
    if (failed) throw mapError(failed.error);
    return found;
  };
  /** CreateTopics and CreatePartitions answer once the controller has them; leaders follow a moment later. */
  const leaders = async (topics: readonly string[], count = 1) => {
    const deadline = Date.now() + REQUEST_MS;
    for (;;) {
      const found = await describe(topics).catch((e: KafkaClientError) => {
        if (e.retryable && Date.now() < deadline) return undefined;
        throw e;
      });
      const ready = (t: RdKafka.TopicDescription) =>
        t.partitions.length >= count && t.partitions.every((p) => p.leader);
      if (found?.every(ready)) return;
      if (Date.now() > deadline)
        throw kafkaError('LEADER_NOT_AVAILABLE', `no leaders yet for ${topics.join(', ')}`, true, undefined);
      await sleep(50);
    }
  };
  // DescribeTopics goes to the controller named in the admin's cached metadata, and librdkafka waits for that
  // broker to come up instead of asking again: after a broker loss, a long-lived admin (the relay's) whose
  // cached controller was the dead broker timed out after 10 s on every try until it was back (40.7 s without
  // an answer). A metadata request goes to any live broker. An unknown topic has no partitions there; the
  // describe then names the error.
  const partitionsOf = async (topic: string) => {
    const meta = await retrying(() =>
      callback<RdKafka.Metadata>((cb) =>
        (client() as unknown as RdKafka.Client<string>).getMetadata(
          { topic, allTopics: false, timeout: READ_TRY_MS },
          cb,
        ),
      ),
    );
    const found = meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    const partitions =
      found.length > 0 ? found : ((await describe([topic]))[0]?.partitions ?? []).map((p) => p.partition);
    return partitions.sort((a, b) => a - b);
  };
  // No DescribeConfigs nor AlterConfigs in this client (neither API): those two calls go through kafkajs,
  // loaded only when one is made.
  const configAdmin = async <T>(fn: (admin: KafkaAdmin) => Promise<T>) => {
    const other = (await import('./kafkajs-adapter.ts')).kafkajsClient(config, logger).admin();
    await other.connect();
    try {
      return await fn(other);
    } finally {
      await other.disconnect().catch(() => undefined);
    }
  };
  // Just after a topic or partition is created, the metadata names a leader the broker itself does not know
  // it is yet (NOT_LEADER_OR_FOLLOWER); the answer is right a few ms later.
  const listOffsets = (topic: string, partitions: number[], spec: RdKafka.OffsetSpec) =>
    retrying(() => listOffsetsOnce(topic, partitions, spec));
  const listOffsetsOnce = async (topic: string, partitions: number[], spec: RdKafka.OffsetSpec) => {
    const found = await callback<RdKafka.ListOffsetsResult[]>((cb) =>
      client().listOffsets(
        partitions.map((partition) => ({ topic, partition, offset: spec })),
        { timeout: READ_TRY_MS, isolationLevel: RdKafka.IsolationLevel.READ_COMMITTED },
        cb,
      ),
    );
    const failed = found.find((o) => o.error);
    if (failed) throw mapError(failed.error);
    return found;
  };

  return {
    connect: async () => {
      admin ??= await call(async () =>
        RdKafka.AdminClient.create(common, { 'event.log': rdkafkaLog(log) } as RdKafka.EventHandlers),
      );
    },
    createTopics: async (topics) => {
      await Promise.all(
        topics.map((t) =>
          callback((cb) =>
            client().createTopic(
              {
                topic: t.topic,
                num_partitions: t.numPartitions,
                replication_factor: t.replicationFactor ?? -1,
                config: { ...(t.configs ?? {}) },
              },
              REQUEST_MS,
              cb,
            ),
          ).catch((error: KafkaClientError) => {
            if (error.code !== 'KAFKA_TOPIC_ALREADY_EXISTS') throw error;
          }),
        ),
      );
      await leaders(topics.map((t) => t.topic));
    },
    deleteTopics: async (topics) => {
      await Promise.all(topics.map((t) => callback((cb) => client().deleteTopic(t, REQUEST_MS, cb))));
    },
    createPartitions: async (topic, count) => {
      await callback((cb) => client().createPartitions(topic, count, REQUEST_MS, cb));
      await leaders([topic], count);
    },
    describeTopicConfigs: (topic, names) => configAdmin((a) => a.describeTopicConfigs(topic, names)),
    alterTopicConfigs: (topic, configs) => configAdmin((a) => a.alterTopicConfigs(topic, configs)),
    fetchTopicOffsets: async (topic): Promise<PartitionOffsets[]> => {
      const partitions = await partitionsOf(topic);
      const [low, high] = await Promise.all([
        listOffsets(topic, partitions, RdKafka.OffsetSpec.EARLIEST),
        listOffsets(topic, partitions, RdKafka.OffsetSpec.LATEST),
      ]);
      return partitions.map((partition) => ({
        partition,
        low: String(low.find((o) => o.partition === partition)?.offset ?? 0),
        high: String(high.find((o) => o.partition === partition)?.offset ?? 0),
      }));
    },
    fetchGroupOffsets: async (groupId, topic) => {
      const partitions = await partitionsOf(topic);
      const [result] = await callback<RdKafka.GroupResults[]>((cb) =>
        client().listConsumerGroupOffsets(
          [{ groupId, partitions: partitions.map((partition) => ({ topic, partition })) }],
          { timeout: REQUEST_MS, requireStableOffsets: true },
          cb,
        ),
      );
      if (result?.error) throw mapError(result.error);
      return partitions.map((partition) => {
        const offset = result?.partitions.find((p) => p.topic === topic && p.partition === partition)?.offset;
        // librdkafka answers OFFSET_INVALID (-1001) where nothing is committed.
        return { topic, partition, offset: offset === undefined || offset < 0 ? '-1' : String(offset) };
      });
    },
    metadata: async (topics) => {
      const found = await describe(topics);
      const cluster = await callback<RdKafka.Metadata>((cb) =>
        (client() as unknown as RdKafka.Client<string>).getMetadata(
          { allTopics: false, timeout: REQUEST_MS },
          cb,
        ),
      );
      return {
        brokers: cluster.brokers.map((b) => ({ nodeId: b.id, host: b.host, port: b.port })),
        topics: found.map((t) => ({
          name: t.name,
          partitions: t.partitions
            .map((p) => ({ partition: p.partition, leader: p.leader?.id ?? -1 }))
            .sort((a, b) => a.partition - b.partition),
        })),
      };
    },
    disconnect: async () => {
      admin?.disconnect();
      admin = undefined;
    },
  };
}

/**
 * Reads with a plain assign() (no group join, nothing committed) and librdkafka's partition-EOF events: a
 * partition ending in transaction markers or aborted records delivers no record up to its end offset, but its
 * fetch position reaches it, and the EOF event says so.
 */
async function readToEnd(
  config: KafkaConnectionConfig,
  common: ReturnType<typeof commonSettings>,
  log: Log,
  logger: Logger,
  topic: string,
  options: ReadToEndOptions,
): Promise<void> {
  const { from, onMessages, timeoutMs = 120_000 } = options;
  const admin = confluentAdmin(config, common, log, logger);
  await admin.connect();
  let ends: PartitionOffsets[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const { start, end } = readRanges(ends, from);
  if (end.size === 0) return;

  const consumer = new RdKafka.KafkaConsumer(
    {
      ...common,
      'group.id': `${topic}-read-${randomUUID()}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'enable.partition.eof': true,
      'isolation.level': 'read_committed',
      'fetch.wait.max.ms': 100,
    },
    {},
  );
  consumer.on('event.log', rdkafkaLog(log));
  const reached = (partition: number, next: bigint) => {
    const last = end.get(partition);
    if (last !== undefined && next >= last) end.delete(partition);
  };
  // node-rdkafka emits a batch's EOF events before it hands the batch over: they count after its records.
  let eofs: RdKafka.EofEvent[] = [];
  consumer.on('partition.eof', (eof: RdKafka.EofEvent) => eofs.push(eof));
  const deadline = Date.now() + timeoutMs;
  try {
    await callback<RdKafka.Metadata>((cb) => consumer.connect({ timeout: REQUEST_MS }, cb));
    consumer.assign([...start].map(([partition, offset]) => ({ topic, partition, offset: Number(offset) })));
    consumer.setDefaultConsumeTimeout(100);
    while (end.size > 0) {
      if (Date.now() > deadline) {
        const behind = [...end.entries()].map(([p, o]) => `partition ${p} to offset ${o}`).join(', ');
        throw kafkaError(
          'REQUEST_TIMED_OUT',
          `reading ${topic} took over ${timeoutMs} ms (${behind})`,
          true,
          undefined,
        );
      }
      const batch = await callback<RdKafka.Message[]>((cb) => consumer.consume(1000, cb)).catch(
        (e: KafkaClientError) => {
          if (!e.retryable) throw e;
          log('warn', `reading ${topic}: ${e.message}`);
          return [];
        },
      );
      const byPartition = new Map<number, ConsumedMessage[]>();
      for (const m of batch) {
        const last = end.get(m.partition);
        if (last === undefined || BigInt(m.offset) >= last) continue;
        let list = byPartition.get(m.partition);
        if (!list) {
          list = [];
          byPartition.set(m.partition, list);
        }
        list.push(rdkafkaMessage(m));
      }
      for (const [partition, messages] of byPartition) await onMessages(partition, messages);
      for (const m of batch) reached(m.partition, BigInt(m.offset) + 1n);
      for (const eof of eofs) reached(eof.partition, BigInt(eof.offset));
      eofs = [];
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
