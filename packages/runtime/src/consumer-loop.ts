import { TRACE_HEADER } from '@open-bank/contract';
import type { Codec, RecordOf, TopicId, Topology } from '@open-bank/topology';
import { DeadLetterHeader } from '@open-bank/topology';
import type { Logger } from 'pino';
import { errorCode, isRetryable } from './errors.ts';
import type {
  ConsumedBatch,
  ConsumedMessage,
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  ProducerRecord,
  TransactionalProducer,
} from './kafka/types.ts';
import type { ServiceMetrics } from './metrics.ts';
import { noteGroup } from './startup.ts';
import { nowMicros, stampSent } from './trace.ts';

export interface Incoming<T> {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  /** Broker timestamp of the message, ms since the epoch. */
  readonly timestamp: number;
  /** The command trace the message carries (its TRACE_HEADER), if any. */
  readonly trace: string | undefined;
  /** When this process fetched the message's batch, µs since the epoch (a trace checkpoint). */
  readonly fetchedAt: number;
}

/** One partition's worth of decoded messages of one topic, in offset order. */
export type Batch<T extends TopicId> = {
  [K in T]: {
    readonly topic: K;
    readonly partition: number;
    readonly messages: readonly Incoming<RecordOf<K>>[];
  };
}[T];

/** A record to publish: the Kafka port's producer record. */
export type Outgoing = ProducerRecord;

export interface ConsumerLoopOptions<T extends TopicId> {
  readonly kafka: KafkaClient;
  readonly codec: Codec;
  readonly topology: Topology;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly groupId: string;
  readonly topics: readonly T[];
  readonly fromBeginning?: boolean;
  /**
   * When set, each batch's outputs, dead letters and consumed offsets are committed in one Kafka
   * transaction, so a crash can neither lose an answer nor publish one twice. Keep it stable across
   * restarts of the same instance: a restart then fences and aborts what the old process left open,
   * instead of holding back read-committed consumers until the transaction times out.
   */
  readonly transactionalId?: string;
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Static group membership (the port's `groupInstanceId`): stable across restarts of one instance and unique
   * among the live ones, so a restarted instance takes its partitions back at once instead of waiting for
   * its old membership's session timeout. A graceful stop still leaves the group. kafkajs ignores it.
   */
  readonly groupInstanceId?: string;
  /**
   * `each-batch` (default): a batch's offsets are committed before the next batch of its partition is
   * handled. `background`: for a handler that keeps its own consumed position (and so skips what it has
   * seen), offsets are committed now and then in the background, off the path of every command; a restart
   * or rebalance then re-delivers a little, which the handler filters out.
   */
  readonly offsetCommit?: 'each-batch' | 'background';
  /**
   * Handles a batch and returns what to publish for it. Must be safe to call again with messages it has
   * seen before (a crash between its own commit and Kafka's replays them), answering the same way.
   */
  readonly handle: (batch: Batch<T>) => Promise<Outgoing[]>;
  /**
   * Told when the Kafka consumer crashed and will not restart itself (a client gives up on errors it does
   * not consider retriable, e.g. a fenced transactional producer): the loop no longer consumes, and a service
   * should report itself unhealthy or exit rather than sit idle.
   */
  readonly onFatal?: (error: Error) => void;
}

/**
 * The consumer loop every service runs: fetch in batches, decode in the loop, set undecodable messages aside
 * on the topic's dead-letter topic, hand the rest to the service in one call, publish its outputs and only
 * then commit the offsets. A failed batch is retried when the error says it may pass; a batch whose handler
 * fails for good is retried message by message so only the poison message is dead-lettered.
 */
export class ConsumerLoop<T extends TopicId> {
  private readonly consumer: KafkaConsumer;
  private readonly producer: KafkaProducer | TransactionalProducer;
  private readonly topicByName: Map<string, TopicId>;
  /** Transactions are published in the order their handlers finished, which is the database commit order. */
  private publishChain: Promise<unknown> = Promise.resolve();
  private running = false;
  /** Background mode: the next offset to commit per topic and partition, since the last commit. */
  private readonly toCommit = new Map<string, { topic: string; partition: number; offset: string }>();
  private committer: NodeJS.Timeout | undefined;
  /** connect() (or start()) was called and stop() has not closed what it opened yet. */
  private opened = false;
  private committing: Promise<void> = Promise.resolve();
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: ConsumerLoopOptions<T>) {
    const { kafka, groupId, transactionalId, topology, topics, fromBeginning = false } = options;
    this.consumer = kafka.consumer({
      groupId,
      topics: topics.map((id) => topology[id].name),
      fromBeginning,
      // Read committed only: answers of aborted transactions must never be seen downstream.
      readCommitted: true,
      maxWaitTimeMs: 100,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      ...(options.groupInstanceId ? { groupInstanceId: options.groupInstanceId } : {}),
    });
    this.producer = transactionalId
      ? kafka.transactionalProducer({ transactionalId, transactionTimeoutMs: 15_000 })
      : kafka.producer();
    this.topicByName = new Map(topics.map((id) => [topology[id].name, id]));
  }

  /**
   * Connects the loop's producer and consumer; start() does it too. Apart, so that a service can be
   * serving once connected, while the group's join (which waits for the other members) goes on.
   */
  connect(): Promise<void> {
    this.connecting ??= (async () => {
      this.opened = true;
      // At once; both settle before a failure is thrown, so stop() finds neither still connecting.
      const settled = await Promise.allSettled([this.producer.connect(), this.consumer.connect()]);
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      noteGroup(this.options.groupId, 'connected');
    })();
    return this.connecting;
  }

  /** Connects (if not yet), subscribes and joins the group; resolves once it is consuming. */
  async start(): Promise<void> {
    await this.connect();
    // The first assignment is the moment the group is joined, whichever client runs it.
    this.consumer.onAssignment(() => noteGroup(this.options.groupId, 'joined'));
    this.running = true;
    this.consumer.onCrash((error) => {
      this.options.logger.error({ err: error }, 'Kafka consumer crashed and will not restart');
      this.options.onFatal?.(error);
    });
    if (this.options.offsetCommit === 'background') {
      this.committer = setInterval(() => {
        this.committing = this.committing.then(() => this.commitPending());
      }, BACKGROUND_COMMIT_MS);
      this.committer.unref();
    }
    await this.consumer.run((batch) => this.eachBatch(batch));
  }

  /** Stops fetching, lets the batch in hand finish and commit, then disconnects. */
  async stop(): Promise<void> {
    if (!this.running) {
      // A start that failed half-way may have left the producer or the consumer connected.
      if (!this.opened) return;
      this.opened = false;
      await this.consumer.disconnect().catch(() => undefined);
      await this.producer.disconnect().catch(() => undefined);
      return;
    }
    this.opened = false;
    this.running = false;
    if (this.committer) clearInterval(this.committer);
    await this.committing;
    await this.commitPending();
    await this.consumer.disconnect();
    await this.publishChain.catch(() => undefined);
    await this.producer.disconnect();
  }

  private async commitPending(): Promise<void> {
    if (this.toCommit.size === 0) return;
    const offsets = [...this.toCommit.values()];
    this.toCommit.clear();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (e) {
      // Advisory only: the handler's own position is the truth; a failed commit means a little re-delivery.
      this.options.logger.debug({ err: e }, 'background offset commit failed; a later one will catch up');
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  private async eachBatch(batch: ConsumedBatch): Promise<void> {
    if (!this.running || batch.stale() || batch.messages.length === 0) return;
    const started = performance.now();
    const fetchedAt = nowMicros();
    const { codec, topology, metrics, logger } = this.options;
    const topic = this.topicByName.get(batch.topic) as T | undefined;
    if (topic === undefined) throw new Error(`received a batch of unsubscribed topic ${batch.topic}`);
    const resolved = topology[topic];

    const decoded = await codec.decodeAll(
      topic,
      batch.messages.map((m) => m.value),
    );
    const good: Incoming<RecordOf<T>>[] = [];
    const undecodable: Outgoing[] = [];
    for (const [i, m] of batch.messages.entries()) {
      const d = decoded[i];
      if (!d) continue;
      if (d.ok) {
        good.push({
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString('utf8') ?? null,
          value: d.value as RecordOf<T>,
          timestamp: Number(m.timestamp),
          trace: m.headers[TRACE_HEADER],
          fetchedAt,
        });
      } else if (d.error.retryable) {
        throw d.error;
      } else {
        logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: m.offset, err: d.error.message },
          'dead-lettering undecodable message',
        );
        undecodable.push(deadLetter(resolved, batch.partition, m, d.error));
      }
    }

    const { outputs, failed } =
      good.length > 0 ? await this.handleIsolated(topic, batch.partition, good, batch.messages) : NOTHING;
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    await this.publish(batch.topic, batch.partition, nextOffset, [...outputs, ...undecodable, ...failed]);
    await batch.heartbeat();

    const seconds = (performance.now() - started) / 1000;
    metrics.handled.inc({ topic: batch.topic, outcome: 'ok' }, good.length - failed.length);
    if (undecodable.length > 0)
      metrics.handled.inc({ topic: batch.topic, outcome: 'undecodable' }, undecodable.length);
    if (failed.length > 0) metrics.handled.inc({ topic: batch.topic, outcome: 'failed' }, failed.length);
    for (let i = 0; i < batch.messages.length; i++)
      metrics.handlingSeconds.observe({ topic: batch.topic }, seconds);
    const lag = BigInt(batch.highWatermark) - BigInt(nextOffset);
    metrics.consumerLag.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Number(lag < 0n ? 0n : lag),
    );
  }

  /**
   * Handles the batch in one call; if that fails for good, handles the messages one at a time and
   * dead-letters only those that fail for good alone. Retryable failures propagate, so the batch is
   * fetched and tried again.
   */
  private async handleIsolated(
    topic: T,
    partition: number,
    messages: Incoming<RecordOf<T>>[],
    raw: readonly ConsumedMessage[],
  ): Promise<{ outputs: Outgoing[]; failed: Outgoing[] }> {
    const batchOf = (ms: Incoming<RecordOf<T>>[]) =>
      ({ topic, partition, messages: ms }) as unknown as Batch<T>;
    try {
      return { outputs: await this.options.handle(batchOf(messages)), failed: [] };
    } catch (e) {
      if (isRetryable(e)) throw e;
      if (messages.length === 1) {
        const m = messages[0] as Incoming<RecordOf<T>>;
        this.options.logger.error(
          { err: e, offset: m.offset },
          'handler failed for good; dead-lettering the message',
        );
        const original = raw.find((r) => r.offset === m.offset);
        return {
          outputs: [],
          failed: original ? [deadLetter(this.options.topology[topic], partition, original, e)] : [],
        };
      }
    }
    const result = { outputs: [] as Outgoing[], failed: [] as Outgoing[] };
    for (const m of messages) {
      const one = await this.handleIsolated(topic, partition, [m], raw);
      result.outputs.push(...one.outputs);
      result.failed.push(...one.failed);
    }
    return result;
  }

  private publish(topic: string, partition: number, offset: string, messages: Outgoing[]): Promise<void> {
    if (this.options.offsetCommit === 'background' && !this.options.transactionalId) {
      this.toCommit.set(`${topic}:${partition}`, { topic, partition, offset });
      if (messages.length === 0) return Promise.resolve();
      const acked = stampSent(messages, this.options.metrics.hops);
      return (this.producer as KafkaProducer).send(messages).then(acked);
    }
    const run = () =>
      this.options.transactionalId
        ? this.publishTransactional(topic, partition, offset, messages)
        : this.publishPlain(topic, partition, offset, messages);
    const next = this.publishChain.then(run, run);
    this.publishChain = next;
    return next;
  }

  private async publishTransactional(
    topic: string,
    partition: number,
    offset: string,
    messages: Outgoing[],
  ): Promise<void> {
    const tx = await (this.producer as TransactionalProducer).begin();
    try {
      if (messages.length > 0) await tx.send(messages);
      await tx.sendOffsets(this.consumer, [{ topic, partition, offset }]);
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
  }

  private async publishPlain(
    topic: string,
    partition: number,
    offset: string,
    messages: Outgoing[],
  ): Promise<void> {
    if (messages.length > 0) {
      const acked = stampSent(messages, this.options.metrics.hops);
      await (this.producer as KafkaProducer).send(messages);
      acked();
    }
    await this.consumer.commitOffsets([{ topic, partition, offset }]);
  }
}

const NOTHING = { outputs: [], failed: [] } as const;
const BACKGROUND_COMMIT_MS = 250;

function deadLetter(
  source: { name: string; deadLetter: string },
  partition: number,
  message: { key: Buffer | null; value: Buffer | null; offset: string },
  error: unknown,
): Outgoing {
  return {
    topic: source.deadLetter,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: {
      [DeadLetterHeader.topic]: source.name,
      [DeadLetterHeader.partition]: String(partition),
      [DeadLetterHeader.offset]: message.offset,
      [DeadLetterHeader.errorCode]: errorCode(error),
      [DeadLetterHeader.error]: error instanceof Error ? error.message : String(error),
    },
  };
}
