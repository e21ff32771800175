import { randomUUID } from 'node:crypto';
import kafkajs, {
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { errorCode } from '../errors.ts';
import { errorsWithin, type KafkaClientError, kafkaError, mapped, retryRead } from './errors.ts';
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
  ProducerOptions,
  ProducerRecord,
  ReadToEndOptions,
  TransactionalProducer,
  TransactionalProducerOptions,
} from './types.ts';

/** kafkajs' errors carry the protocol error's name as `type` and a `retriable` flag. */
export function mapKafkajsError(error: unknown): KafkaClientError {
  const all = errorsWithin(error);
  const typed = all.find((e) => typeof (e as { type?: unknown }).type === 'string') as
    | { type: string; retriable?: boolean; message: string }
    | undefined;
  const top = error as { message?: string; retriable?: boolean; name?: string };
  const name = typed?.type ?? (error instanceof KafkaJSError ? top.name : undefined);
  const retryable = (typed?.retriable ?? top.retriable ?? true) === true;
  return kafkaError(name, top.message ?? String(error), retryable, error);
}

// kafkajs is CommonJS and Node's ESM loader cannot see all of its exports by name.
const { Kafka: KafkaClass, KafkaJSError, logLevel, Partitioners } = kafkajs;

const CONCURRENT_TRANSACTIONS_TEXT = 'another concurrent operation on the same transaction';
const LIMITED_RETRIES_TEXT = 'Limiting retries for the idempotent producer';

const call = <T>(fn: () => Promise<T>) => mapped(mapKafkajsError, fn);

/**
 * The longest wait between two tries of a plain producer's send. kafkajs retries an idempotent producer's
 * send without end, doubling the wait from the client's 100 ms up to its default 30 s: once a killed
 * broker's partitions had failed five tries (3.1 s), the next waits were 3.2 and 6.4 s, more than the
 * seconds the partitions' new leaders take to appear, while the request behind the send has 10 s in all.
 * Each try refreshes the metadata first, so 500 ms is how late a new leader is found at most. Durability
 * is the same: the tries are as many, under the same producer id and sequence numbers (acks=all), and the
 * broker drops a record it already has.
 */
const PRODUCER_MAX_RETRY_MS = 500;

/** Errors after which an idempotent kafkajs producer's sequence numbers no longer match the broker's. */
const SEQUENCE_LOST = new Set(['KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER', 'KAFKA_UNKNOWN_PRODUCER_ID']);

function headersOf(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const one = Array.isArray(v) ? v[v.length - 1] : v;
    if (one !== undefined) out[k] = one.toString();
  }
  return out;
}

function message(m: KafkaMessage): ConsumedMessage {
  return {
    partition: 0,
    offset: m.offset,
    key: m.key ?? null,
    value: m.value ?? null,
    headers: headersOf(m.headers),
    timestamp: m.timestamp,
  };
}

async function sendAll(producer: Producer | { send: Producer['send'] }, records: readonly ProducerRecord[]) {
  if (records.length === 0) return;
  const topicMessages = toTopicMessages(records);
  await call(async () => {
    if ('sendBatch' in producer) await producer.sendBatch({ topicMessages, acks: -1 });
    else await Promise.all(topicMessages.map((t) => producer.send({ ...t, acks: -1 })));
  });
}

class KafkajsConsumer implements KafkaConsumer {
  readonly groupId: string;
  #consumer: Consumer;
  #options: ConsumerOptions;
  #assignment: Assignment[] = [];
  #assignmentListeners: ((a: Assignment[]) => void)[] = [];
  #crashListeners: ((e: Error) => void)[] = [];

  constructor(kafka: Kafka, options: ConsumerOptions) {
    this.groupId = options.groupId;
    this.#options = options;
    // kafkajs has no static group membership (KIP-345): `groupInstanceId` is ignored, every start joins as a
    // new member, and a crashed member's partitions wait for its session timeout.
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: options.readCommitted === false,
      allowAutoTopicCreation: false,
      ...(options.sessionTimeoutMs ? { sessionTimeout: options.sessionTimeoutMs } : {}),
      ...(options.heartbeatIntervalMs ? { heartbeatInterval: options.heartbeatIntervalMs } : {}),
      ...(options.maxWaitTimeMs ? { maxWaitTimeInMs: options.maxWaitTimeMs } : {}),
    });
    const { GROUP_JOIN, CRASH } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (e) => {
      this.#assignment = Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions].sort((a, b) => a - b),
      }));
      for (const l of this.#assignmentListeners) l(this.#assignment);
    });
    this.#consumer.on(CRASH, (e) => {
      // kafkajs restarts itself after a retriable crash; only a crash it gives up on is final.
      if (e.payload.restart) return;
      const error = mapKafkajsError(e.payload.error);
      for (const l of this.#crashListeners) l(error);
    });
  }

  connect() {
    return call(() => this.#consumer.connect());
  }

  async run(eachBatch: Parameters<KafkaConsumer['run']>[0]) {
    await call(() =>
      this.#consumer.subscribe({
        topics: [...this.#options.topics],
        fromBeginning: this.#options.fromBeginning ?? true,
      }),
    );
    await call(() =>
      this.#consumer.run({
        autoCommit: false,
        // Resolved when eachBatch returns, not when it throws: kafkajs then fetches the batch again.
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }: EachBatchPayload) => {
          if (batch.messages.length === 0 || !isRunning() || isStale()) return;
          await eachBatch({
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            messages: batch.messages.map((m) => ({ ...message(m), partition: batch.partition })),
            heartbeat,
            stale: () => !isRunning() || isStale(),
          });
        },
      }),
    );
  }

  commitOffsets(offsets: Parameters<KafkaConsumer['commitOffsets']>[0]) {
    return call(() => this.#consumer.commitOffsets(offsets.map((o) => ({ ...o }))));
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

  pause() {
    this.#consumer.pause(this.#options.topics.map((topic) => ({ topic })));
  }

  resume() {
    this.#consumer.resume(this.#options.topics.map((topic) => ({ topic })));
  }

  disconnect() {
    return call(() => this.#consumer.disconnect());
  }

  /** kafkajs' transactional offset commit needs only the group id (no KIP-447 metadata). */
  get native() {
    return this.#consumer;
  }
}

/** The kafkajs 2.2.4 adapter: the design's default, pure JavaScript, no KIP-447. */
export function kafkajsClient(config: KafkaConnectionConfig, logger: Logger): KafkaClient {
  const log = logInto(logger, 'kafkajs');
  const levels = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info' } as const;
  const kafka = new KafkaClass({
    brokers: [...config.brokers],
    clientId: config.clientId,
    logLevel: logLevel.INFO,
    logCreator:
      () =>
      ({ level, namespace, log: { message: text, timestamp: _t, logger: _l, ...extra } }) => {
        // Right after a commit, the next transaction's first request often meets the broker still writing
        // the previous one's markers; kafkajs retries it and logs an error each time. Routine, not news.
        if (`${text} ${String(extra.error ?? '')}`.includes(CONCURRENT_TRANSACTIONS_TEXT)) {
          config.onRetry?.('CONCURRENT_TRANSACTIONS');
          return log('debug', text, { namespace, ...extra });
        }
        // Said of every transactional producer, whose retry count is the client's (a plain idempotent
        // producer's is unlimited): a transaction whose send fails for good is aborted, so a limited count
        // loses nothing there.
        if (text.startsWith(LIMITED_RETRIES_TEXT)) return log('debug', text, { namespace, ...extra });
        log(levels[level as 1 | 2 | 4] ?? 'debug', text, { namespace, ...extra });
      },
    // The client-wide retry (metadata, coordinator look-ups, the consumer group): the first wait shortened,
    // and no wait longer than half a second, with as much patience in all as kafkajs' default (about 3 s).
    // Doubling up to kafkajs' 30 s cap, a coordinator look-up that kept meeting a killed broker waited 1.6 s
    // after the controller had fenced it: the relay's producer settled 5.3 s after a broker loss, its answers
    // waiting meanwhile. An idempotent producer keeps its own unlimited retry count (see producer()).
    retry: { initialRetryTime: 100, maxRetryTime: 500, retries: 8 },
  });

  return {
    name: 'kafkajs',
    producer(options: ProducerOptions = {}): KafkaProducer {
      const idempotent = options.idempotent ?? true;
      const make = () =>
        kafka.producer({
          allowAutoTopicCreation: false,
          idempotent,
          maxInFlightRequests: options.maxInFlightOne ? 1 : 5,
          createPartitioner: Partitioners.DefaultPartitioner,
          // kafkajs's own unlimited count for an idempotent producer (naming it keeps its warning about
          // a limited count away), with the wait between tries capped (see PRODUCER_MAX_RETRY_MS).
          ...(idempotent
            ? { retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: PRODUCER_MAX_RETRY_MS } }
            : {}),
        });
      let producer = make();
      return {
        connect: () => call(() => producer.connect()),
        send: async (records) => {
          try {
            await sendAll(producer, records);
          } catch (e) {
            // When a partition's leader moves while a send to the old leader is still failing, kafkajs hands
            // out sequence numbers past the gap and never recovers: every later send is refused as out of
            // order (seen when one of three brokers is SIGKILLed: the heartbeat and the endpoint stopped
            // producing for good). A new producer id starts its sequences afresh; the caller's retry (same
            // records, same ids) then goes through, and the bank answers a repeated command id alike.
            if (idempotent && SEQUENCE_LOST.has(errorCode(e))) {
              const old = producer;
              producer = make();
              await old.disconnect().catch(() => undefined);
              await call(() => producer.connect());
            }
            throw e;
          }
        },
        disconnect: () => call(() => producer.disconnect()),
      };
    },
    transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer {
      const producer = kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionalId: options.transactionalId,
        ...(options.transactionTimeoutMs ? { transactionTimeout: options.transactionTimeoutMs } : {}),
        createPartitioner: Partitioners.DefaultPartitioner,
        // kafkajs waits its initial retry time before re-sending a request refused as CONCURRENT_TRANSACTIONS,
        // which nearly every transaction that closely follows another meets; at the client-wide 100 ms that
        // put a floor of half a second under a command's round trip under load. A steeper back-off keeps the
        // total patience for a broker that is really away about the same (kafkajs warns against cutting the
        // retry count of an idempotent producer).
        retry: { initialRetryTime: options.firstRetryMs ?? 20, multiplier: 3 },
      });
      return {
        // kafkajs registers the transactional id only with the first transaction; the port promises that
        // connect() fences an earlier holder (a takeover relies on it), so an empty transaction does it now.
        connect: () =>
          call(async () => {
            await producer.connect();
            const first = await producer.transaction();
            await first.abort();
          }),
        begin: async (): Promise<KafkaTransaction> => {
          const txn = await call(() => producer.transaction());
          return {
            send: (records) => sendAll(txn, records),
            sendOffsets: (consumer, offsets) =>
              call(() =>
                txn.sendOffsets({ consumerGroupId: consumer.groupId, topics: offsetsByTopic(offsets) }),
              ),
            commit: () => call(() => txn.commit()),
            abort: () => call(() => txn.abort()),
          };
        },
        disconnect: () => call(() => producer.disconnect()),
      };
    },
    consumer: (options) => new KafkajsConsumer(kafka, options),
    readToEnd: (topic, options) => readToEnd(kafka, topic, options),
    admin(): KafkaAdmin {
      const admin = kafka.admin();
      const ConfigResourceTypes = { TOPIC: 2 };
      return {
        connect: () => call(() => admin.connect()),
        createTopics: async (topics) => {
          await call(() =>
            admin.createTopics({
              waitForLeaders: true,
              topics: topics.map((t) => ({
                topic: t.topic,
                numPartitions: t.numPartitions,
                replicationFactor: t.replicationFactor ?? -1,
                configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
              })),
            }),
          );
        },
        deleteTopics: (topics) => call(() => admin.deleteTopics({ topics: [...topics] })),
        createPartitions: async (topic, count) => {
          await call(() => admin.createPartitions({ topicPartitions: [{ topic, count }] }));
          // kafkajs returns before the new partitions have leaders; reading their offsets at once then fails
          // with NOT_LEADER now and then, so wait until the metadata shows them led.
          const until = Date.now() + 30_000;
          for (;;) {
            const meta = await call(() => admin.fetchTopicMetadata({ topics: [topic] })).catch(
              () => undefined,
            );
            const parts = meta?.topics[0]?.partitions ?? [];
            if (parts.length >= count && parts.every((p) => p.leader >= 0)) return;
            if (Date.now() >= until)
              throw kafkaError(
                'LEADER_NOT_AVAILABLE',
                `${topic}: new partitions without a leader after 30 s`,
                true,
                undefined,
              );
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        },
        describeTopicConfigs: async (topic, names) => {
          const result = await call(() =>
            admin.describeConfigs({
              includeSynonyms: false,
              resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [...names] }],
            }),
          );
          const out: Record<string, string> = {};
          for (const e of result.resources[0]?.configEntries ?? []) out[e.configName] = e.configValue;
          return out;
        },
        alterTopicConfigs: async (topic, configs) => {
          // AlterConfigs replaces a topic's whole dynamic config: keep what is set, overlay the new values.
          const current = await call(() =>
            admin.describeConfigs({
              includeSynonyms: false,
              resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
            }),
          );
          const kept = (current.resources[0]?.configEntries ?? []).filter((e) => !e.isDefault && !e.readOnly);
          const merged = new Map(kept.map((e) => [e.configName, e.configValue]));
          for (const [k, v] of Object.entries(configs)) merged.set(k, v);
          await call(() =>
            admin.alterConfigs({
              validateOnly: false,
              resources: [
                {
                  type: ConfigResourceTypes.TOPIC,
                  name: topic,
                  configEntries: [...merged].map(([name, value]) => ({ name, value })),
                },
              ],
            }),
          );
        },
        fetchTopicOffsets: async (topic) =>
          // A partition just created, or whose leader just moved, answers NOT_LEADER for a moment even after the
          // metadata names its leader; a broker just killed fails with a connection error until the metadata
          // names its partitions' new leaders: both are retryable.
          (await retryRead(() => call(() => admin.fetchTopicOffsets(topic)), 100))
            .map((p) => ({ partition: p.partition, low: p.low, high: p.high }))
            .sort((a, b) => a.partition - b.partition),
        fetchGroupOffsets: async (groupId, topic) => {
          const [entry] = await call(() => admin.fetchOffsets({ groupId, topics: [topic] }));
          return (entry?.partitions ?? [])
            .map((p) => ({ topic, partition: p.partition, offset: p.offset }))
            .sort((a, b) => a.partition - b.partition);
        },
        metadata: async (topics) => {
          const { topics: meta } = await call(() => admin.fetchTopicMetadata({ topics: [...topics] }));
          const cluster = await call(() => admin.describeCluster());
          return {
            brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
            topics: meta.map((t) => ({
              name: t.name,
              partitions: t.partitions
                .map((p) => ({ partition: p.partitionId, leader: p.leader }))
                .sort((a, b) => a.partition - b.partition),
            })),
          };
        },
        disconnect: () => call(() => admin.disconnect()),
      };
    },
  };
}

/**
 * kafkajs cannot consume without a group, so the read joins a throwaway one and commits nothing. Batches of
 * only markers or aborted records never reach eachBatch but still move the position; kafkajs reports them in
 * its end-of-batch event, which is what tells a partition ending in a commit marker is read.
 */
async function readToEnd(kafka: Kafka, topic: string, options: ReadToEndOptions): Promise<void> {
  const { from, onMessages, timeoutMs = 120_000 } = options;
  const admin = kafka.admin();
  await call(() => admin.connect());
  let ends: { partition: number; low: string; high: string }[];
  try {
    ends = await call(() => admin.fetchTopicOffsets(topic));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const { start, end } = readRanges(ends, from);
  if (end.size === 0) return;

  const consumer = kafka.consumer({
    groupId: `${topic}-read-${randomUUID()}`,
    allowAutoTopicCreation: false,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const reached = (partition: number, lastOffset: string | null | undefined) => {
    const last = end.get(partition);
    if (last === undefined || lastOffset === null || lastOffset === undefined) return;
    if (BigInt(lastOffset) + 1n >= last) end.delete(partition);
    if (end.size === 0) settle?.resolve();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
    reached(payload.partition, payload.lastOffset),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) => settle?.reject(mapKafkajsError(payload.error)));
  const timer = setTimeout(() => {
    const behind = [...end.entries()].map(([p, o]) => `partition ${p} to offset ${o}`).join(', ');
    settle?.reject(
      kafkaError(
        'REQUEST_TIMED_OUT',
        `reading ${topic} took over ${timeoutMs} ms (${behind})`,
        true,
        undefined,
      ),
    );
  }, timeoutMs);
  try {
    await call(() => consumer.connect());
    await call(() => consumer.subscribe({ topics: [topic], fromBeginning: true }));
    await call(() =>
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const last = end.get(batch.partition);
          if (last === undefined) return;
          const first = start.get(batch.partition) ?? 0n;
          const messages = batch.messages
            .filter((m) => BigInt(m.offset) >= first && BigInt(m.offset) < last)
            .map((m) => ({ ...message(m), partition: batch.partition }));
          if (messages.length > 0) await onMessages(batch.partition, messages);
        },
      }),
    );
    for (const [partition, offset] of start)
      if (offset > 0n) consumer.seek({ topic, partition, offset: offset.toString() });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
}
