import { randomUUID } from 'node:crypto';
import { deadline } from '@open-bank/contract';
import {
  Admin,
  type ClusterMetadata as ClientMetadata,
  ConfigResourceTypes,
  ConnectionPool,
  Consumer,
  FetchIsolationLevels,
  IncrementalAlterConfigOperationTypes,
  ListOffsetTimestamps,
  loggers,
  type Message,
  ProduceAcks,
  Producer,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import {
  errorsWithin,
  FENCED,
  type KafkaClientError,
  kafkaError,
  mapped,
  READ_TRY_MS,
  retryRead,
} from './errors.ts';
import { logInto } from './logging.ts';
import { murmur2 } from './murmur2.ts';
import { mapPlatformaticError } from './platformatic-errors.ts';
import { endOffsetOf, type FetchedPartition, readPartition } from './platformatic-records.ts';
import { readRanges } from './read-ranges.ts';
import type {
  Assignment,
  ConsumedBatch,
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
  TopicPartitionOffset,
  TransactionalProducer,
  TransactionalProducerOptions,
} from './types.ts';

/** The client's transaction (not exported under its own name). */
type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

const call = <T>(fn: () => Promise<T>) => mapped(mapPlatformaticError, fn);
type Log = ReturnType<typeof logInto>;

/** A fetch's own retries go to the same node: they are kept short (see retryDelay). */
const FETCH_RETRY_MS = 50;
/** The transactional producer's longest pause between its (unbounded) retries. */
const TRANSACTIONAL_MAX_RETRY_MS = 500;

/**
 * The client retries every request on its own, `retries` times, with this pause. CONCURRENT_TRANSACTIONS (the
 * coordinator still writes the previous transaction's markers, a few ms) gets a short first pause; anything
 * else (a broker away, a leader moving) backs off to `maxRetryMs`. Except a fetch: the client sends it again
 * to the same node, which is of no use once that broker is gone (its ten tries took 9 s after a broker loss,
 * and then failed on the broker missing from the metadata); the consumer's own fetch loop looks the
 * leaders up again, so a fetch gives up after its tries within about half a second.
 */
function retryDelay(firstRetryMs: number, maxRetryMs = 2000) {
  return (_client: unknown, operation: string, attempt: number, _retries: number, error: Error) => {
    const concurrent = errorsWithin(error).some(
      (e) => (e as { apiId?: string }).apiId === 'CONCURRENT_TRANSACTIONS',
    );
    if (concurrent) return Math.min(firstRetryMs * 2 ** (attempt - 1), 500);
    if (operation === 'fetch') return FETCH_RETRY_MS;
    return Math.min(100 * 2 ** (attempt - 1), maxRetryMs);
  };
}

/**
 * One try of an admin read (see READ_TRY_MS): the client retries a ListOffsets on a dead broker's connection
 * for 13 s. The try given up goes on in the background until its own tries end; its result is dropped.
 */
function withinTry<T>(work: Promise<T>, what: string): Promise<T> {
  return deadline(work, READ_TRY_MS, () =>
    kafkaError('REQUEST_TIMED_OUT', `${what}: no answer within ${READ_TRY_MS} ms`, true, undefined),
  );
}

function baseOptions(config: KafkaConnectionConfig, clientId = config.clientId) {
  return {
    clientId,
    bootstrapBrokers: [...config.brokers],
    connectTimeout: 5000,
    requestTimeout: 30_000,
    retries: 10,
    retryDelay: retryDelay(20),
  };
}

/**
 * The client logs through `debug` namespaces shared by the whole process; the adapter points their output at
 * pino's debug level, and only when that level is on (the protocol namespace, one line per request, stays off).
 */
function routeClientLogs(logger: Logger, log: Log) {
  if (!logger.isLevelEnabled('debug')) return;
  for (const section of ['client', 'producer', 'consumer', 'admin'] as const) {
    const debug = loggers[section];
    if (!debug) continue;
    debug.enabled = true;
    debug.log = (...args: unknown[]) => {
      const [first, ...rest] = args;
      log('debug', typeof first === 'string' ? first : section, {
        section,
        detail: rest.length ? rest : first,
      });
    };
  }
}

/** The Java client's partition for a key: murmur2, made positive; the client then takes it modulo the count. */
function javaPartitioner() {
  let next = 0;
  return (_message: unknown, key: Buffer | undefined) => {
    if (key === undefined || key === null) {
      next = (next + 1) & 0x7fffffff;
      return next;
    }
    return murmur2(key) & 0x7fffffff;
  };
}

type OutMessage = Omit<Message, 'offset' | 'commit' | 'toJSON' | 'metadata' | 'partition' | 'timestamp'>;

function toMessages(records: readonly ProducerRecord[]) {
  return records.map((r) => {
    const headers = new Map<Buffer, Buffer>();
    for (const [k, v] of Object.entries(r.headers ?? {})) headers.set(Buffer.from(k), Buffer.from(v));
    return {
      topic: r.topic,
      ...(r.key === null ? {} : { key: Buffer.from(r.key, 'utf8') }),
      value: r.value as Buffer,
      headers,
    } as OutMessage;
  });
}

/**
 * Sends one at a time, gathering what callers hand in meanwhile into the next request. The client numbers an
 * idempotent producer's batches when it builds a request and moves the numbers on only when the answer
 * comes, so two requests in flight to one partition would carry the same sequence and the broker would take
 * the second for a duplicate and drop it; in a transaction, partitions added by two concurrent sends would
 * be merged into one AddPartitionsToTxn. Nothing waits to fill a batch: a send goes out at once.
 */
class SendQueue {
  #pending: { records: readonly ProducerRecord[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #running = false;
  readonly #send: (records: ProducerRecord[]) => Promise<void>;

  constructor(send: (records: ProducerRecord[]) => Promise<void>) {
    this.#send = send;
  }

  send(records: readonly ProducerRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#pending.push({ records, resolve, reject });
      void this.#drain();
    });
  }

  async #drain() {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        const group = this.#take();
        try {
          await this.#send(group.flatMap((g) => [...g.records]));
          for (const g of group) g.resolve();
        } catch (error) {
          for (const g of group) g.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Whole sends up to about half a megabyte (a broker's batch limit is one), at least one. */
  #take() {
    let bytes = 0;
    let count = 0;
    for (const p of this.#pending) {
      const size = p.records.reduce((n, r) => n + (r.value?.length ?? 0) + (r.key?.length ?? 0) + 64, 0);
      if (count > 0 && bytes + size > 512 * 1024) break;
      bytes += size;
      count++;
    }
    return this.#pending.splice(0, count);
  }
}

function produceTo(target: Producer | Transaction) {
  return async (records: ProducerRecord[]) => {
    await call(async () => {
      await target.send({ messages: toMessages(records) as Message[], acks: ProduceAcks.ALL });
    });
  };
}

/**
 * A plain producer's send, one request per partition. The client answers a request in which one partition
 * failed (a leader just moved) by sending all of it again; without sequence numbers the broker then writes
 * the other partitions' records twice, so each partition goes on its own and only a failed one is repeated.
 */
function produceByPartition(producer: Producer) {
  const partitioner = javaPartitioner();
  return async (records: ProducerRecord[]) => {
    await call(async () => {
      const topics = [...new Set(records.map((r) => r.topic))];
      const meta = await producer.metadata({ topics });
      const groups = new Map<string, Message[]>();
      for (const m of toMessages(records) as Message[]) {
        const count = meta.topics.get(m.topic)?.partitionsCount ?? 1;
        const partition = partitioner(m, m.key as Buffer | undefined) % count;
        const key = `${m.topic}\u0000${partition}`;
        const list = groups.get(key) ?? [];
        list.push({ ...m, partition });
        groups.set(key, list);
      }
      await Promise.all(
        [...groups.values()].map((messages) => producer.send({ messages, acks: ProduceAcks.ALL })),
      );
    });
  };
}

// ---------------------------------------------------------------------------------------------- consumer

interface PartitionState {
  topic: string;
  partition: number;
  /** Next offset to fetch; undefined until resolved from the group's commit (or the reset policy). */
  position: bigint | undefined;
  /** Reset by policy instead of the commit: the committed offset fell out of the log. */
  outOfRange: boolean;
  /** A fetch of it or a batch of it is out: nothing else of it may start. */
  busy: boolean;
  /** Taken away by a rebalance, or the consumer stopped. */
  revoked: boolean;
  failures: number;
  retryAt: number;
}

interface Task {
  state: PartitionState;
  messages: ConsumedBatch['messages'];
  next: bigint;
  end: bigint;
}

/** The consumers this adapter built, so a transaction can read their group metadata (KIP-447). */
const groupMembers = new WeakMap<KafkaConsumer, PlatformaticConsumer>();

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * A group member on the client's group protocol (join, sync, heartbeats and rejoins are the client's), with
 * its own fetch loop: the client's MessagesStream hands out single messages from a read-ahead buffer, which
 * can neither keep batches nor go back to a failed batch's first record. Each partition has at most one fetch
 * or batch out, so its batches run strictly in order; batches of different partitions run up to
 * `partitionsConsumedConcurrently` at once. Fetches go per leader, and a partition freed while its leader's
 * fetch waits for data goes out at once on one of a few extra connections (a broker answers one connection's
 * requests in order), instead of waiting out that fetch.
 */
class PlatformaticConsumer implements KafkaConsumer {
  readonly groupId: string;
  readonly #config: KafkaConnectionConfig;
  readonly #options: ConsumerOptions;
  readonly #log: Log;
  readonly #consumer: Consumer;
  #admin: Admin | undefined;
  readonly #readCommitted: boolean;
  readonly #concurrency: number;
  readonly #maxWait: number;
  #eachBatch: ((batch: ConsumedBatch) => Promise<void>) | undefined;
  #states = new Map<string, PartitionState>();
  /** Per partition, the generation and member id under which this member last owned it (KIP-447). */
  #owned = new Map<string, { generationId: number; memberId: string }>();
  #generation = -1;
  #memberId = '';
  #assignment: Assignment[] = [];
  #assignmentListeners: ((a: Assignment[]) => void)[] = [];
  #crashListeners: ((e: Error) => void)[] = [];
  #running = false;
  #stopped = false;
  #paused = false;
  #rebalancing = false;
  #pumping = false;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #pools: ConnectionPool[] = [];
  #inflight = new Set<string>();
  #fetches = new Set<Promise<void>>();
  #queue: Task[] = [];
  #active = new Set<Promise<void>>();
  #rejoinTimer: NodeJS.Timeout | undefined;

  constructor(config: KafkaConnectionConfig, options: ConsumerOptions, log: Log) {
    this.groupId = options.groupId;
    this.#config = config;
    this.#options = options;
    this.#log = log;
    this.#readCommitted = options.readCommitted !== false;
    this.#concurrency = Math.max(1, options.partitionsConsumedConcurrently ?? 1);
    this.#maxWait = options.maxWaitTimeMs ?? 5000;
    this.#consumer = new Consumer({
      ...baseOptions(config),
      groupId: options.groupId,
      autocommit: false,
      isolationLevel: this.#readCommitted
        ? FetchIsolationLevels.READ_COMMITTED
        : FetchIsolationLevels.READ_UNCOMMITTED,
      maxWaitTime: this.#maxWait,
      // Static membership: the client sends it on join, sync and heartbeat. Its close() still sends a
      // LeaveGroup (with the member id), which removes a static member too: a graceful stop hands over.
      ...(options.groupInstanceId ? { groupInstanceId: options.groupInstanceId } : {}),
      ...this.#groupOptions(),
    });
    this.#consumer.on('consumer:group:join', (payload) =>
      this.#onJoin(payload.generationId ?? 0, payload.memberId, payload.assignments ?? []),
    );
    this.#consumer.on('consumer:group:rebalance', () => {
      this.#rebalancing = true;
    });
    this.#consumer.on('consumer:heartbeat:error', ({ error }) => {
      // A static member replaced by a newer one with its instance id (FENCED_INSTANCE_ID): the client would
      // only go on heartbeating in vain while this adapter fetches partitions now someone else's.
      const mappedError = mapPlatformaticError(error);
      if (mappedError.code === FENCED) {
        this.#crash(mappedError);
        return;
      }
      this.#log('warn', 'heartbeat failed', { groupId: this.groupId, error: String(error) });
    });
    // A rejoin the client gave up on arrives as 'error' (unhandled, it would end the process).
    this.#consumer.on('error', (error: Error) => this.#onGroupLost(error));
    this.#consumer.on('client:broker:disconnect', (broker: unknown) =>
      this.#log('debug', 'broker disconnected', { groupId: this.groupId, broker }),
    );
    groupMembers.set(this, this);
  }

  #groupOptions() {
    const sessionTimeout = this.#options.sessionTimeoutMs ?? 30_000;
    return {
      sessionTimeout,
      rebalanceTimeout: Math.max(60_000, sessionTimeout),
      heartbeatInterval: this.#options.heartbeatIntervalMs ?? Math.min(3000, Math.floor(sessionTimeout / 3)),
    };
  }

  connect() {
    return call(async () => {
      await this.#consumer.metadata({ topics: [...this.#options.topics] });
    });
  }

  async run(eachBatch: (batch: ConsumedBatch) => Promise<void>) {
    if (this.#running) throw kafkaError('INVALID_REQUEST', 'the consumer already runs', false, undefined);
    this.#running = true;
    this.#eachBatch = eachBatch;
    for (const topic of this.#options.topics) this.#consumer.topics.track(topic);
    await call(() => this.#consumer.joinGroup(this.#groupOptions()));
    this.#schedule();
  }

  commitOffsets(offsets: readonly TopicPartitionOffset[]) {
    if (offsets.length === 0) return Promise.resolve();
    return call(() =>
      this.#consumer.commit({
        offsets: offsets.map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: BigInt(o.offset),
          leaderEpoch: -1,
        })),
      }),
    );
  }

  assignment() {
    return this.#rebalancing ? [] : this.#assignment;
  }

  onAssignment(listener: (a: Assignment[]) => void) {
    this.#assignmentListeners.push(listener);
  }

  onCrash(listener: (e: Error) => void) {
    this.#crashListeners.push(listener);
  }

  pause() {
    this.#paused = true;
  }

  resume() {
    this.#paused = false;
    this.#schedule();
  }

  async disconnect() {
    if (this.#stopped) return;
    await this.#stop();
  }

  /** The group metadata a transactional offset commit of `topic`/`partition` must carry. */
  groupMetadataFor(topic: string, partition: number) {
    const owned = this.#owned.get(keyOf(topic, partition));
    return {
      groupId: this.groupId,
      generationId: owned?.generationId ?? this.#consumer.generationId,
      memberId: owned?.memberId ?? this.#consumer.memberId ?? '',
      coordinatorId: this.#consumer.coordinatorId ?? -1,
    };
  }

  /** Stops fetching, lets a running batch finish (it sees stale()), then leaves the group. */
  async #stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#rejoinTimer);
    for (const s of this.#states.values()) s.revoked = true;
    this.#queue = [];
    await Promise.allSettled([...this.#active]);
    // Closing the client also ends the retries of a fetch in flight, which would otherwise go on against
    // the closed connections.
    const closed = call(() => this.#consumer.close());
    await Promise.allSettled([closed, ...this.#pools.map((p) => p.close()), this.#admin?.close()]);
    await Promise.allSettled([...this.#fetches]);
    this.#pools = [];
    await closed;
  }

  #crash(error: KafkaClientError) {
    if (this.#stopped) return;
    this.#log('error', 'consumer stopped on an error it will not retry', { groupId: this.groupId, error });
    this.#stop().catch(() => undefined);
    for (const l of this.#crashListeners) l(error);
  }

  #onGroupLost(error: Error) {
    if (this.#stopped) return;
    const mappedError = mapPlatformaticError(error);
    if (!mappedError.retryable) {
      this.#crash(mappedError);
      return;
    }
    this.#log('warn', 'rejoining the group failed, trying again', {
      groupId: this.groupId,
      error: String(error),
    });
    this.#rebalancing = true;
    clearTimeout(this.#rejoinTimer);
    this.#rejoinTimer = setTimeout(() => {
      this.#consumer.joinGroup(this.#groupOptions()).catch((e: Error) => this.#onGroupLost(e));
    }, 1000);
  }

  #onJoin(
    generationId: number,
    memberId: string,
    assignments: readonly { topic: string; partitions: number[] }[],
  ) {
    if (this.#stopped) return;
    // Ownership of a partition kept across a rebalance is unbroken only from one generation to the next (or
    // a repeated join of the same one) with the same member id; otherwise someone else may have moved its
    // commit, so it starts over from the commit.
    const continuous =
      memberId === this.#memberId &&
      (generationId === this.#generation || generationId === this.#generation + 1);
    const next = new Map<string, PartitionState>();
    const assignment: Assignment[] = [];
    for (const { topic, partitions } of assignments) {
      if (!this.#options.topics.includes(topic)) continue;
      const sorted = [...partitions].sort((a, b) => a - b);
      assignment.push({ topic, partitions: sorted });
      for (const partition of sorted) {
        const key = keyOf(topic, partition);
        const old = this.#states.get(key);
        next.set(
          key,
          old && continuous && !old.revoked
            ? old
            : {
                topic,
                partition,
                position: undefined,
                outOfRange: false,
                busy: false,
                revoked: false,
                failures: 0,
                retryAt: 0,
              },
        );
        this.#owned.set(key, { generationId, memberId });
      }
    }
    for (const [key, old] of this.#states) if (next.get(key) !== old) old.revoked = true;
    this.#states = next;
    this.#generation = generationId;
    this.#memberId = memberId;
    this.#assignment = assignment.sort((a, b) => a.topic.localeCompare(b.topic));
    this.#rebalancing = false;
    for (const l of this.#assignmentListeners) l(this.#assignment);
    this.#schedule();
  }

  #schedule(delay = 0) {
    if (this.#stopped || !this.#running) return;
    if (delay > 0) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#pump(), delay);
      return;
    }
    setImmediate(() => void this.#pump());
  }

  async #pump() {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        await this.#pumpOnce();
      } while (this.#again && !this.#stopped);
    } catch (error) {
      const e = mapPlatformaticError(error);
      if (!e.retryable) this.#crash(e);
      else {
        this.#log('warn', 'consumer fetch loop failed, trying again', {
          groupId: this.groupId,
          error: String(error),
        });
        this.#schedule(500);
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #pumpOnce() {
    if (this.#stopped || this.#paused || this.#rebalancing) return;
    const states = [...this.#states.values()];
    const unresolved = states.filter((s) => !s.busy && s.position === undefined);
    if (unresolved.length > 0) await this.#resolvePositions(unresolved);
    if (this.#stopped || this.#paused || this.#rebalancing) return;

    const now = Date.now();
    const ready = states.filter((s) => !s.busy && !s.revoked && s.position !== undefined && s.retryAt <= now);
    const waiting = states.filter((s) => !s.busy && !s.revoked && s.retryAt > now);
    if (waiting.length > 0) this.#schedule(Math.min(...waiting.map((s) => s.retryAt)) - now);
    if (ready.length === 0) return;

    const metadata = await this.#consumer.metadata({ topics: [...this.#options.topics] });
    const byLeader = new Map<number, PartitionState[]>();
    for (const s of ready) {
      const leader = metadata.topics.get(s.topic)?.partitions[s.partition]?.leader;
      if (leader === undefined || leader < 0) {
        this.#consumer.clearMetadata();
        s.retryAt = now + 200;
        this.#schedule(200);
        continue;
      }
      let list = byLeader.get(leader);
      if (!list) {
        list = [];
        byLeader.set(leader, list);
      }
      list.push(s);
    }
    for (const [leader, list] of byLeader) {
      const slot = this.#freeSlot(leader);
      if (slot === undefined) continue;
      this.#fetch(metadata, leader, slot, list);
    }
  }

  #freeSlot(leader: number): number | undefined {
    const max = this.#concurrency + 1;
    for (let i = 0; i < max; i++) if (!this.#inflight.has(`${i}:${leader}`)) return i;
    return undefined;
  }

  #pool(slot: number): ConnectionPool {
    let pool = this.#pools[slot];
    if (!pool) {
      const { clientId, connectTimeout, requestTimeout } = baseOptions(this.#config);
      pool = new ConnectionPool(clientId, { connectTimeout, requestTimeout });
      this.#pools[slot] = pool;
    }
    return pool;
  }

  #fetch(metadata: ClientMetadata, leader: number, slot: number, list: PartitionState[]) {
    const flight = `${slot}:${leader}`;
    this.#inflight.add(flight);
    for (const s of list) s.busy = true;
    const asked = new Map(list.map((s) => [keyOf(s.topic, s.partition), s.position as bigint]));
    const topicIds = new Map<string, string>();
    const topics = new Map<string, { topicId: string; partitions: object[] }>();
    for (const s of list) {
      const id = metadata.topics.get(s.topic)?.id as string;
      topicIds.set(id, s.topic);
      let t = topics.get(id);
      if (!t) {
        t = { topicId: id, partitions: [] };
        topics.set(id, t);
      }
      t.partitions.push({
        partition: s.partition,
        fetchOffset: s.position as bigint,
        partitionMaxBytes: 1_048_576,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      });
    }
    const done = this.#consumer
      .fetch({
        node: leader,
        topics: [...topics.values()] as never,
        maxWaitTime: this.#maxWait,
        connectionPool: this.#pool(slot),
      })
      .then(
        (response) => this.#fetched(list, asked, topicIds, response.responses as never),
        (error: unknown) => this.#fetchFailed(list, error),
      )
      .finally(() => {
        this.#inflight.delete(flight);
        this.#fetches.delete(done);
        this.#schedule();
      });
    this.#fetches.add(done);
  }

  #fetched(
    list: PartitionState[],
    asked: Map<string, bigint>,
    topicIds: Map<string, string>,
    responses: { topicId: string; partitions: FetchedPartition[] }[],
  ) {
    const answered = new Set<PartitionState>();
    for (const topicResponse of responses) {
      const topic = topicIds.get(topicResponse.topicId);
      if (topic === undefined) continue;
      for (const p of topicResponse.partitions) {
        const key = keyOf(topic, p.partitionIndex);
        const state = list.find((s) => s.topic === topic && s.partition === p.partitionIndex);
        const from = asked.get(key);
        if (!state || from === undefined) continue;
        answered.add(state);
        // Fetched during a rebalance or after losing the partition: dropped, the position stays.
        if (this.#stopped || state.revoked || this.#rebalancing || state.position !== from) {
          state.busy = false;
          continue;
        }
        const { messages, next } = readPartition(p, from, this.#readCommitted);
        if (messages.length === 0) {
          state.position = next;
          state.busy = false;
          continue;
        }
        this.#queue.push({ state, messages, next, end: endOffsetOf(p, this.#readCommitted) });
      }
    }
    for (const s of list) if (!answered.has(s)) s.busy = false;
    this.#dispatch();
  }

  #fetchFailed(list: PartitionState[], error: unknown) {
    for (const s of list) s.busy = false;
    if (this.#stopped) return;
    const e = mapPlatformaticError(error);
    const all = errorsWithin(error) as { apiId?: string; hasStaleMetadata?: boolean; response?: unknown }[];
    if (all.some((x) => x.hasStaleMetadata)) this.#consumer.clearMetadata();
    if (e.code === 'KAFKA_OFFSET_OUT_OF_RANGE') {
      const outOfRange = outOfRangePartitions(all);
      for (const s of list) {
        if (outOfRange.has(s.partition) || outOfRange.size === 0) {
          s.position = undefined;
          s.outOfRange = true;
        }
      }
      this.#log('warn', 'fetch offset out of range, resetting', { groupId: this.groupId });
      return;
    }
    if (!e.retryable) {
      this.#crash(e);
      return;
    }
    // A leader that cannot be reached (killed, or already gone from the metadata) has usually been
    // replaced by the time the controller fences it: the next round must read the leaders afresh.
    if (e.code === 'KAFKA_NETWORK_EXCEPTION' || e.code === 'KAFKA_BROKER_NOT_AVAILABLE')
      this.#consumer.clearMetadata();
    this.#log('warn', 'fetch failed, trying again', { groupId: this.groupId, error: e.message });
    const at = Date.now() + 500;
    for (const s of list) s.retryAt = at;
  }

  #dispatch() {
    while (this.#active.size < this.#concurrency && this.#queue.length > 0) {
      const task = this.#queue.shift() as Task;
      const running: Promise<void> = this.#runTask(task).finally(() => {
        this.#active.delete(running);
        this.#dispatch();
        this.#schedule();
      });
      this.#active.add(running);
    }
  }

  async #runTask({ state, messages, next, end }: Task) {
    try {
      if (this.#stopped || state.revoked || !this.#eachBatch) return;
      await this.#eachBatch({
        topic: state.topic,
        partition: state.partition,
        highWatermark: end.toString(),
        messages,
        // The client heartbeats on its own timer, whatever a batch does.
        heartbeat: async () => undefined,
        stale: () => this.#stopped || state.revoked,
      });
      state.failures = 0;
      state.position = next;
    } catch (error) {
      // The position stays at the batch's start: the partition is fetched again from its first record.
      state.failures++;
      state.retryAt = Date.now() + Math.min(100 * 2 ** state.failures, 5000);
      this.#log('warn', 'eachBatch failed; the batch is fetched again', {
        groupId: this.groupId,
        topic: state.topic,
        partition: state.partition,
        offset: messages[0]?.offset,
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      state.busy = false;
    }
  }

  /** Committed offsets (waiting out pending transactional commits, KIP-447), else the reset policy. */
  async #resolvePositions(states: PartitionState[]) {
    for (const s of states) s.busy = true;
    try {
      const byTopic = new Map<string, PartitionState[]>();
      for (const s of states) {
        const list = byTopic.get(s.topic) ?? [];
        list.push(s);
        byTopic.set(s.topic, list);
      }
      this.#admin ??= new Admin(baseOptions(this.#config));
      const admin = this.#admin;
      for (const [topic, list] of byTopic) {
        const committed = new Map<number, bigint>();
        const fromCommit = list.filter((s) => !s.outOfRange);
        if (fromCommit.length > 0) {
          const groups = await admin.listConsumerGroupOffsets({
            groups: [
              {
                groupId: this.groupId,
                topics: [{ name: topic, partitionIndexes: fromCommit.map((s) => s.partition) }],
              },
            ],
            requireStable: true,
          });
          for (const g of groups)
            for (const t of g.topics)
              for (const p of t.partitions) committed.set(p.partitionIndex, p.committedOffset);
        }
        const reset = list.filter((s) => (committed.get(s.partition) ?? -1n) < 0n);
        const policy = new Map<number, bigint>();
        if (reset.length > 0) {
          const offsets = await this.#consumer.listOffsets({
            topics: [topic],
            partitions: { [topic]: reset.map((s) => s.partition) },
            timestamp:
              this.#options.fromBeginning === false
                ? ListOffsetTimestamps.LATEST
                : ListOffsetTimestamps.EARLIEST,
            isolationLevel: this.#readCommitted
              ? FetchIsolationLevels.READ_COMMITTED
              : FetchIsolationLevels.READ_UNCOMMITTED,
          });
          const found = offsets.get(topic) ?? [];
          for (const s of reset) policy.set(s.partition, found[s.partition] ?? 0n);
        }
        for (const s of list) {
          if (s.revoked) continue;
          const c = committed.get(s.partition) ?? -1n;
          s.position = c >= 0n ? c : (policy.get(s.partition) ?? 0n);
          s.outOfRange = false;
        }
      }
    } finally {
      for (const s of states) s.busy = false;
    }
  }
}

/** The partitions a fetch answered OFFSET_OUT_OF_RANGE for (error code 1), from the client's response. */
function outOfRangePartitions(errors: { response?: unknown }[]): Set<number> {
  const out = new Set<number>();
  for (const e of errors) {
    const responses = (
      e.response as { responses?: { partitions?: { partitionIndex: number; errorCode: number }[] }[] }
    )?.responses;
    for (const t of responses ?? [])
      for (const p of t.partitions ?? []) if (p.errorCode === 1) out.add(p.partitionIndex);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ client

/** The @platformatic/kafka 1.35 adapter: pure TypeScript, KIP-447 offsets, its own batch fetch loop. */
export function platformaticClient(config: KafkaConnectionConfig, logger: Logger): KafkaClient {
  const log = logInto(logger, 'platformatic');
  routeClientLogs(logger, log);

  const metadataOf = async (client: Admin, topics: readonly string[]) =>
    call(() => client.metadata({ topics: [...topics], forceUpdate: true }));

  return {
    name: 'platformatic',
    producer(options: ProducerOptions = {}): KafkaProducer {
      const idempotent = options.idempotent ?? true;
      const { retries, ...base } = baseOptions(config);
      const producer = new Producer({
        ...base,
        // An idempotent producer keeps the client's unbounded retries: giving up mid-sequence could leave a
        // batch the broker wrote but the client never counted.
        ...(idempotent ? {} : { retries }),
        idempotent,
        acks: ProduceAcks.ALL,
        producerId: -1n,
        producerEpoch: -1,
        partitioner: javaPartitioner(),
        autocreateTopics: false,
        ...(options.maxInFlightOne ? { maxInflights: 1 } : {}),
      });
      const queue = new SendQueue(idempotent ? produceTo(producer) : produceByPartition(producer));
      return {
        connect: () =>
          call(async () => {
            if (idempotent) await producer.initIdempotentProducer({});
            else await producer.connectToBrokers();
          }),
        send: (records) => queue.send(records),
        disconnect: () => call(() => producer.close()),
      };
    },
    transactionalProducer(options: TransactionalProducerOptions): TransactionalProducer {
      const { retries: _retries, ...base } = baseOptions(config);
      const producer = new Producer({
        ...base,
        // Its retries never end, so a shorter longest pause costs no give-up window; what it saves is the wait
        // after a lost transaction coordinator is replaced: at two seconds the relay's first transaction on
        // the new one came up to 2 s after the move (first answer 7.4 s after a broker kill, one request
        // timed out), the way the Java client's retry.backoff.max.ms (1 s) bounds it too.
        retryDelay: retryDelay(options.firstRetryMs ?? 20, TRANSACTIONAL_MAX_RETRY_MS),
        idempotent: true,
        acks: ProduceAcks.ALL,
        transactionalId: options.transactionalId,
        // The client sends its `timeout` as the transaction timeout (and as the brokers' wait for acks).
        timeout: options.transactionTimeoutMs ?? 60_000,
        // -1/-1 asks the coordinator for the id's producer and a new epoch; the client's default 0/0 reads
        // as a claim to producer 0, which the coordinator refuses for an id another producer registered.
        producerId: -1n,
        producerEpoch: -1,
        partitioner: javaPartitioner(),
        autocreateTopics: false,
      });
      return {
        // The client registers the transactional id with its first transaction; the port promises connect()
        // fences an earlier holder, so a transaction is opened (InitProducerId bumps the epoch, aborting the
        // zombie's open transaction) and dropped again without a request: it never added a partition.
        connect: () =>
          call(async () => {
            const first = await producer.beginTransaction();
            await first.cancel();
          }),
        begin: async (): Promise<KafkaTransaction> => {
          const txn = await call(() => producer.beginTransaction());
          const queue = new SendQueue(produceTo(txn));
          return {
            send: (records) => queue.send(records),
            sendOffsets: (consumer, offsets) =>
              call(async () => {
                const member = groupMembers.get(consumer);
                if (!member) {
                  throw kafkaError(
                    'INVALID_REQUEST',
                    'sendOffsets needs a consumer of this client',
                    false,
                    undefined,
                  );
                }
                if (offsets.length === 0) return;
                await txn.addConsumer({ groupId: consumer.groupId } as Consumer);
                // One partition per request: the client merges concurrent commits of one transaction.
                for (const o of offsets) {
                  await txn.addOffset({
                    topic: o.topic,
                    partition: o.partition,
                    // The client commits the offset after the message it is given.
                    offset: BigInt(o.offset) - 1n,
                    metadata: { consumer: member.groupMetadataFor(o.topic, o.partition) },
                  } as unknown as Message);
                }
              }),
            commit: () => call(() => txn.commit()),
            abort: () => call(() => txn.abort()),
          };
        },
        disconnect: () => call(() => producer.close()),
      };
    },
    consumer: (options) => new PlatformaticConsumer(config, options, log),
    readToEnd: (topic, options) => readToEnd(config, topic, options),
    admin(): KafkaAdmin {
      const admin = new Admin(baseOptions(config));
      const partitionsOf = async (topic: string) => {
        const meta = await metadataOf(admin, [topic]);
        const t = meta.topics.get(topic);
        if (!t) throw kafkaError('UNKNOWN_TOPIC_OR_PARTITION', `unknown topic ${topic}`, true, undefined);
        return t;
      };
      const listOffsets = async (topic: string, timestamp: bigint, count: number) => {
        const [listed] = await call(() =>
          admin.listOffsets({
            topics: [
              {
                name: topic,
                partitions: Array.from({ length: count }, (_, i) => ({ partitionIndex: i, timestamp })),
              },
            ],
            isolationLevel: FetchIsolationLevels.READ_COMMITTED,
          }),
        );
        return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
      };
      const offsetsOf = async (topic: string) => {
        const { partitionsCount } = await partitionsOf(topic);
        const low = await listOffsets(topic, ListOffsetTimestamps.EARLIEST, partitionsCount);
        const high = await listOffsets(topic, ListOffsetTimestamps.LATEST, partitionsCount);
        return { partitionsCount, low, high };
      };
      /** Until the brokers' metadata shows at least `count(topic)` partitions of each topic, all led. */
      const waitForLeaders = async (names: readonly string[], count: (topic: string) => number) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const meta = await metadataOf(admin, names).catch(() => undefined);
          const ready = names.every((n) => {
            const t = meta?.topics.get(n);
            return (
              t !== undefined &&
              t.partitionsCount >= Math.max(1, count(n)) &&
              t.partitions.every((p) => p !== undefined && p.leader >= 0)
            );
          });
          if (ready) return;
          if (Date.now() > deadline) {
            throw kafkaError(
              'LEADER_NOT_AVAILABLE',
              `no leaders for ${names.join(', ')} after 30 s`,
              true,
              undefined,
            );
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      return {
        connect: () => call(async () => void (await admin.metadata({ topics: [] }))),
        createTopics: async (topics) => {
          for (const t of topics) {
            await call(() =>
              admin.createTopics({
                topics: [t.topic],
                partitions: t.numPartitions,
                replicas: t.replicationFactor ?? -1,
                configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
              }),
            ).catch((error: KafkaClientError) => {
              if (error.code !== 'KAFKA_TOPIC_ALREADY_EXISTS') throw error;
            });
          }
          // Created is not yet usable: wait until every partition has a leader.
          const counts = new Map(topics.map((t) => [t.topic, t.numPartitions]));
          await waitForLeaders([...counts.keys()], (n) => counts.get(n) ?? 0);
        },
        deleteTopics: (topics) => call(() => admin.deleteTopics({ topics: [...topics] })),
        createPartitions: async (topic, count) => {
          await call(() => admin.createPartitions({ topics: [{ name: topic, count }] }));
          await waitForLeaders([topic], () => count);
        },
        describeTopicConfigs: async (topic, names) => {
          const [description] = await call(() =>
            admin.describeConfigs({
              resources: [
                {
                  resourceType: ConfigResourceTypes.TOPIC,
                  resourceName: topic,
                  configurationKeys: [...names],
                },
              ],
            }),
          );
          const out: Record<string, string> = {};
          for (const c of description?.configs ?? []) if (typeof c.value === 'string') out[c.name] = c.value;
          return out;
        },
        // IncrementalAlterConfigs sets only the named configs; the others keep their values. The broker
        // answers before every broker applies the change, so it resolves once a describe shows it.
        alterTopicConfigs: async (topic, configs) => {
          await call(() =>
            admin.incrementalAlterConfigs({
              resources: [
                {
                  resourceType: ConfigResourceTypes.TOPIC,
                  resourceName: topic,
                  configs: Object.entries(configs).map(([name, value]) => ({
                    name,
                    configOperation: IncrementalAlterConfigOperationTypes.SET,
                    value,
                  })),
                },
              ],
            }),
          );
          const names = Object.keys(configs);
          for (let attempt = 0; attempt < 50; attempt++) {
            const [description] = await call(() =>
              admin.describeConfigs({
                resources: [
                  { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: names },
                ],
              }),
            );
            const now = new Map((description?.configs ?? []).map((c) => [c.name, c.value]));
            if (names.every((n) => now.get(n) === configs[n])) return;
            await new Promise((r) => setTimeout(r, 100));
          }
        },
        fetchTopicOffsets: async (topic) => {
          // Each try looks the leaders up again (`metadataOf` forces a refresh).
          const { partitionsCount, low, high } = await retryRead(
            () => withinTry(offsetsOf(topic), `offsets of ${topic}`),
            100,
          );
          return Array.from({ length: partitionsCount }, (_, partition) => ({
            partition,
            low: (low.get(partition) ?? 0n).toString(),
            high: (high.get(partition) ?? 0n).toString(),
          }));
        },
        fetchGroupOffsets: async (groupId, topic) => {
          const { partitionsCount } = await partitionsOf(topic);
          const partitionIndexes = Array.from({ length: partitionsCount }, (_, i) => i);
          const groups = await call(() =>
            admin.listConsumerGroupOffsets({
              groups: [{ groupId, topics: [{ name: topic, partitionIndexes }] }],
            }),
          );
          const committed = new Map<number, bigint>();
          for (const g of groups)
            for (const t of g.topics)
              for (const p of t.partitions) committed.set(p.partitionIndex, p.committedOffset);
          return partitionIndexes.map((partition) => ({
            topic,
            partition,
            offset: (committed.get(partition) ?? -1n).toString(),
          }));
        },
        metadata: async (topics) => {
          const meta = await metadataOf(admin, topics);
          return {
            brokers: [...meta.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port })),
            topics: [...meta.topics]
              .filter(([, t]) => t !== undefined)
              .map(([name, t]) => ({
                name,
                partitions: t.partitions.map((p, partition) => ({ partition, leader: p.leader })),
              })),
          };
        },
        disconnect: () => call(() => admin.close()),
      };
    },
  };
}

/**
 * Reads without a group: the end offsets under read-committed (the last stable offset) are taken first, then
 * each leader is fetched from until every partition's position reaches its end. The position moves over
 * control batches and aborted records too, which is what ends a partition closing with markers.
 */
async function readToEnd(
  config: KafkaConnectionConfig,
  topic: string,
  options: ReadToEndOptions,
): Promise<void> {
  const { from, onMessages, timeoutMs = 120_000 } = options;
  const reader = new Consumer({
    ...baseOptions(config, `${config.clientId}-read`),
    groupId: `${topic}-read-${randomUUID()}`,
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    const isolationLevel = FetchIsolationLevels.READ_COMMITTED;
    await call(() => reader.metadata({ topics: [topic], forceUpdate: true }));
    const [lows, highs] = await call(() =>
      Promise.all([
        reader.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.EARLIEST, isolationLevel }),
        reader.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST, isolationLevel }),
      ]),
    );
    const low = lows.get(topic) ?? [];
    const high = highs.get(topic) ?? [];
    const { start: position, end } = readRanges(
      high.map((h, partition) => ({ partition, low: low[partition] ?? 0n, high: h })),
      from,
    );
    while (end.size > 0) {
      if (Date.now() > deadline) {
        const behind = [...end].map(([p, o]) => `partition ${p} to offset ${o}`).join(', ');
        throw kafkaError(
          'REQUEST_TIMED_OUT',
          `reading ${topic} took over ${timeoutMs} ms (${behind})`,
          true,
          undefined,
        );
      }
      const metadata = await call(() => reader.metadata({ topics: [topic] }));
      const meta = metadata.topics.get(topic);
      const byLeader = new Map<number, number[]>();
      for (const partition of end.keys()) {
        const leader = meta?.partitions[partition]?.leader ?? -1;
        const list = byLeader.get(leader) ?? [];
        list.push(partition);
        byLeader.set(leader, list);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          if (leader < 0) {
            reader.clearMetadata();
            await new Promise((r) => setTimeout(r, 100));
            return;
          }
          const response = await call(() =>
            reader.fetch({
              node: leader,
              maxWaitTime: 100,
              isolationLevel,
              topics: [
                {
                  topicId: meta?.id as string,
                  partitions: partitions.map((partition) => ({
                    partition,
                    fetchOffset: position.get(partition) as bigint,
                    partitionMaxBytes: 1_048_576,
                    currentLeaderEpoch: -1,
                    lastFetchedEpoch: -1,
                  })),
                },
              ],
            }),
          );
          for (const t of response.responses)
            for (const p of t.partitions as unknown as FetchedPartition[]) {
              const at = position.get(p.partitionIndex);
              const last = end.get(p.partitionIndex);
              if (at === undefined || last === undefined) continue;
              const { messages, next } = readPartition(p, at, true);
              const inRange = messages.filter((m) => BigInt(m.offset) < last);
              if (inRange.length > 0) await onMessages(p.partitionIndex, inRange);
              position.set(p.partitionIndex, next);
              if (next >= last) end.delete(p.partitionIndex);
            }
        }),
      );
    }
  } finally {
    await reader.close().catch(() => undefined);
  }
}
