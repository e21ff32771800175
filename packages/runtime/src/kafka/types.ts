/**
 * The Kafka port: what the services need from a Kafka client, and nothing of any client's own types.
 * Each adapter (kafkajs, Confluent's librdkafka client, platformatic's pure-TypeScript client) implements it
 * in its own file; `createKafkaClient` picks one by `KAFKA_CLIENT`.
 */

export const KAFKA_CLIENTS = ['kafkajs', 'confluent', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/** One record to produce. A null key lands on any partition; a keyed one on the Java client's murmur2 partition. */
export interface ProducerRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

/** One consumed record. Offsets stay decimal strings: they are 64-bit. */
export interface ConsumedMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as a decimal string (the record's create or log-append time). */
  timestamp: string;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** In Kafka's commit sense: the offset of the next record to read (last processed + 1). */
  offset: string;
}

export interface ProducerOptions {
  /** Idempotent producers retry without duplicating; plain ones may duplicate on retry. Default true. */
  idempotent?: boolean;
  /** One request in flight per broker, so even retries keep the order of sends. Default false (up to 5). */
  maxInFlightOne?: boolean;
}

/** Plain or idempotent producer; every send waits for all in-sync replicas (acks=all). */
export interface KafkaProducer {
  connect(): Promise<void>;
  send(records: readonly ProducerRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TransactionalProducerOptions {
  /** Stable per instance: a new producer with the same id fences the previous one (zombie fencing). */
  transactionalId: string;
  /** Milliseconds the broker lets a transaction stay open before aborting it. */
  transactionTimeoutMs?: number;
  /**
   * How soon a request the broker refused as CONCURRENT_TRANSACTIONS (it still writes the previous
   * transaction's markers, a few ms) is sent again; clients that retry this on their own terms ignore it.
   * Default 20 ms, the Java client's.
   */
  firstRetryMs?: number;
}

export interface TransactionalProducer {
  /**
   * Registers the transactional id with its coordinator, which fences an earlier producer with the same id
   * and aborts its open transaction, before it resolves.
   */
  connect(): Promise<void>;
  /** Opens a transaction; only one is open at a time. */
  begin(): Promise<KafkaTransaction>;
  disconnect(): Promise<void>;
}

export interface KafkaTransaction {
  send(records: readonly ProducerRecord[]): Promise<void>;
  /**
   * Commits the consumer group's offsets inside the transaction (consume-transform-produce). Adapters whose
   * client supports KIP-447 pass the consumer's group metadata (generation, member id) so a zombie is fenced.
   */
  sendOffsets(consumer: KafkaConsumer, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group without committed offsets starts. Default true (earliest). */
  fromBeginning?: boolean;
  /** Hide records of open and aborted transactions. Default true. */
  readCommitted?: boolean;
  /** How many partitions' batches run at once. Default 1. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Upper bound of one fetch's wait for data. */
  maxWaitTimeMs?: number;
  /**
   * Static group membership (KIP-345): a member that comes back under the same id within the session timeout
   * (a restart after a crash) gets its partitions back at once, without a rebalance of the group. Keep it
   * stable per instance and unique in the group: a second live member with the same id fences the first,
   * whose consumer then crashes (FENCED). kafkajs has no static membership and ignores it.
   */
  groupInstanceId?: string;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  /** The partition's high watermark (last stable offset under read-committed) when the batch was fetched. */
  highWatermark: string;
  messages: ConsumedMessage[];
  /** Tells the group coordinator this member is alive during a long batch. */
  heartbeat(): Promise<void>;
  /**
   * True once this batch's partition was taken away by a rebalance or the consumer stops: its results must
   * not be published (the new owner re-reads it). Clients that cannot tell answer false.
   */
  stale(): boolean;
}

export interface Assignment {
  topic: string;
  partitions: number[];
}

/**
 * A group member that hands each fetched partition's records to `eachBatch`; offsets are committed by hand.
 * When `eachBatch` returns, the consumer goes on after the batch's last record; when it throws, the consumer
 * fetches the partition again from the batch's first record (after a short pause), so a failed batch is
 * retried rather than skipped, whether or not offsets were committed.
 */
export interface KafkaConsumer {
  readonly groupId: string;
  connect(): Promise<void>;
  /** Subscribes to the topics and starts fetching; resolves once the loop runs, not when it ends. */
  run(eachBatch: (batch: ConsumedBatch) => Promise<void>): Promise<void>;
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** This member's partitions now (empty before the first join or while rebalancing). */
  assignment(): Assignment[];
  /** Called after every join or rebalance with the new assignment. */
  onAssignment(listener: (assignment: Assignment[]) => void): void;
  /** Called when the consumer stopped for good on an error it will not retry. */
  onCrash(listener: (error: Error) => void): void;
  pause(): void;
  resume(): void;
  /**
   * Stops fetching and leaves the group, a static member too (which leaving on close would not do by
   * itself), so a graceful stop hands its partitions over at once rather than after the session timeout.
   */
  disconnect(): Promise<void>;
}

export interface ReadToEndOptions {
  /** Per partition, the first offset to read; partitions not named start at their earliest record. */
  from?: ReadonlyMap<number, string>;
  /** Gets each fetched chunk of one partition, in offset order, never beyond the end offsets. */
  onMessages: (partition: number, messages: ConsumedMessage[]) => void | Promise<void>;
  /** Gives up with an error after this long. Default 120 s. */
  timeoutMs?: number;
}

export interface NewTopic {
  topic: string;
  numPartitions: number;
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

export interface ClusterMetadata {
  brokers: { nodeId: number; host: string; port: number }[];
  topics: { name: string; partitions: { partition: number; leader: number }[] }[];
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  /** Creates the topics that do not exist yet and waits for their leaders; existing ones are left alone. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Grows a topic to `count` partitions in total. */
  createPartitions(topic: string, count: number): Promise<void>;
  describeTopicConfigs(topic: string, names: readonly string[]): Promise<Record<string, string>>;
  /** Sets the given configs; configs not named keep their values. */
  alterTopicConfigs(topic: string, configs: Record<string, string>): Promise<void>;
  /** Low and high watermarks of every partition (under read-committed: high is the last stable offset). */
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** The group's committed offsets; '-1' for a partition without one. */
  fetchGroupOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]>;
  metadata(topics: readonly string[]): Promise<ClusterMetadata>;
  disconnect(): Promise<void>;
}

export interface KafkaConnectionConfig {
  brokers: readonly string[];
  clientId: string;
  /**
   * Told each time the client itself retries a request the broker refused with a retriable error, with the
   * Kafka error's name (e.g. CONCURRENT_TRANSACTIONS), as far as the client reports such retries.
   */
  onRetry?: (error: string) => void;
}

/** One client library behind the port: a factory of producers, consumers and admins. */
export interface KafkaClient {
  readonly name: KafkaClientName;
  producer(options?: ProducerOptions): KafkaProducer;
  transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer;
  consumer(options: ConsumerOptions): KafkaConsumer;
  admin(): KafkaAdmin;
  /**
   * Reads the committed records of every partition of `topic` up to the end offsets it finds when called (the
   * last stable offset), commits nothing and resolves when every partition is read to its end — also when a
   * partition ends in transaction markers or aborted records, which no chunk carries.
   */
  readToEnd(topic: string, options: ReadToEndOptions): Promise<void>;
}
