import { randomBytes, randomUUID } from 'node:crypto';
import { TRACE_HEADER } from '@open-bank/contract';
import {
  ConsumerLoop,
  createKafkaClient,
  createLogger,
  type Health,
  type Logger,
  nowMicros,
  observeHop,
  parseTrace,
  stampSent,
  TraceCheckpoint,
} from '@open-bank/runtime';
import { bytesToUuid, Codec, createRegistry, keyFor, topologyOf, uuidToBytes } from '@open-bank/topology';
import { type AccountAnswer, Bank, type CommandEncoder, type Random, type TransferAnswer } from './bank.ts';
import type { GraphqlEndpointConfig } from './config.ts';
import { type Graphiql, loadGraphiql } from './graphiql.ts';
import { TransactionHub } from './hub.ts';
import { LiveMetricsSource } from './live/source.ts';
import { DEFAULT_THROTTLE, LoginThrottle } from './login-throttle.ts';
import { createEndpointMetrics, type EndpointMetrics } from './metrics.ts';
import { PasswordHasher } from './password.ts';
import { PendingAnswers } from './pending.ts';
import { createBankSchema } from './schema.ts';
import { Semaphore } from './semaphore.ts';
import { SendBatcher } from './send-batcher.ts';
import { GRAPHQL_PATH, startHttpServer } from './server.ts';
import { createPool, type NewTransaction, PgBankStore, TransactionStore } from './store.ts';

export const SERVICE = 'graphql-endpoint';

export interface EndpointDeps {
  readonly logger?: Logger;
  readonly metrics?: EndpointMetrics;
  readonly random?: Random;
  readonly clock?: () => Date;
}

/** The hashing bound and login throttle an endpoint runs with, exposed for tests. */
export interface EndpointGuards {
  readonly hasher: PasswordHasher;
  readonly throttle: LoginThrottle;
}

export interface GraphqlEndpoint {
  /** Base URL; GraphQL is at `${url}/graphql`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: EndpointMetrics;
  health(): Health;
  /** Open stream_transactions subscriptions. */
  subscriptionCount(): number;
  readonly guards: EndpointGuards;
  /** Stops taking requests, answers waiting ones, ends subscriptions, finishes the batch in hand. */
  stop(): Promise<void>;
}

/** Consumer group ids, derived from the client id so a second instance can be told apart by KAFKA_CLIENT_ID. */
export function groupIds(clientId: string) {
  return { transactions: `${clientId}-transactions`, answers: `${clientId}-answers` };
}

/** The answers of a batch that requests of this process wait for, with their ids as UUID strings. */
function* mine<V extends { id: Buffer }>(
  pending: PendingAnswers<unknown>,
  messages: readonly { readonly value: V }[],
): Generator<{ id: string; value: V }> {
  if (pending.size === 0) return;
  for (const m of messages) {
    const id = bytesToUuid(m.value.id);
    if (pending.has(id)) yield { id, value: m.value };
  }
}

export async function startGraphqlEndpoint(
  config: GraphqlEndpointConfig,
  deps: EndpointDeps = {},
): Promise<GraphqlEndpoint> {
  const logger = deps.logger ?? createLogger(SERVICE, config.logLevel);
  const metrics = deps.metrics ?? createEndpointMetrics(SERVICE);
  const random = deps.random ?? { uuid: randomUUID, bytes: randomBytes };
  const clock = deps.clock ?? (() => new Date());
  let state: Health['state'] = 'starting';
  const cleanups: Array<() => Promise<unknown>> = [];

  try {
    const topology = topologyOf(config);
    const kafka = await createKafkaClient(
      config.kafkaClient,
      { brokers: config.brokers, clientId: config.clientId },
      logger,
    );
    const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
    await codec.prepare(['confirmAccountCreation', 'confirmMoneyTransfer']);

    const pool = createPool({ host: config.dbHostname, port: config.dbPort, password: config.dbPassword });
    pool.on('error', (e) => logger.warn({ err: e }, 'idle database connection failed'));
    cleanups.unshift(() => pool.end());
    await pool.query('SELECT 1 FROM transaction LIMIT 1');
    const transactions = new TransactionStore(pool);

    const producer = kafka.producer();
    await producer.connect();
    cleanups.unshift(() => producer.disconnect());
    const batcher = new SendBatcher(async (messages) => {
      const acked = stampSent(messages, metrics.hops);
      await producer.send(messages);
      acked();
    });

    const hub = new TransactionHub({
      onSizeChange: (n) => metrics.subscriptions.set(n),
      onDropped: (n) => {
        metrics.droppedEvents.inc(n);
        logger.warn({ dropped: n }, 'a subscriber fell behind; oldest transactions dropped for it');
      },
    });
    const accounts = new PendingAnswers<AccountAnswer>(config.answerTimeoutMs, (n) =>
      metrics.pendingAnswers.set({ command: 'account' }, n),
    );
    const transfers = new PendingAnswers<TransferAnswer>(config.answerTimeoutMs, (n) =>
      metrics.pendingAnswers.set({ command: 'transfer' }, n),
    );

    const encoder: CommandEncoder = {
      confirmAccountCreation: (id, receivedAt) => {
        const t = topology.confirmAccountCreation;
        const value = { id: uuidToBytes(id), a_type: 'MANUAL' as const };
        return {
          topic: t.name,
          key: keyFor(t, value, clock()),
          value: codec.encode(t.id, value),
          headers: { [TRACE_HEADER]: String(receivedAt) },
        };
      },
      confirmMoneyTransfer: (r, receivedAt) => {
        const t = topology.confirmMoneyTransfer;
        const value = {
          id: uuidToBytes(r.uuid),
          token: r.token,
          amount: r.amount,
          from: r.from,
          to: r.to,
          description: r.description,
        };
        return {
          topic: t.name,
          key: keyFor(t, value, clock()),
          value: codec.encode(t.id, value),
          headers: { [TRACE_HEADER]: String(receivedAt) },
        };
      },
    };
    const hasher = new PasswordHasher(new Semaphore(config.hashConcurrency), random.bytes);
    const throttle = new LoginThrottle(() => clock().getTime(), {
      ...DEFAULT_THROTTLE,
      freeFailures: config.loginFreeFailures,
      usernameFreeFailures: Math.max(DEFAULT_THROTTLE.usernameFreeFailures, config.loginFreeFailures * 3),
      failuresPerMinute: config.loginFailuresPerMinute,
      maxDelayMs: config.loginMaxDelayMs,
    });
    const bank = new Bank({
      hasher,
      throttle,
      onThrottled: (username, client, retryInMs) => {
        metrics.refused.inc({ reason: 'login_throttled' });
        logger.warn({ username, client, retryInMs }, 'refused: too many failed logins');
      },
      store: new PgBankStore(pool),
      encoder,
      send: (m) => batcher.send(m),
      accounts,
      transfers,
      random,
      clockMicros: nowMicros,
      observe: (command, outcome, seconds) => metrics.answerSeconds.observe({ command, outcome }, seconds),
    });

    const groups = groupIds(config.clientId);
    const transactionLoop = new ConsumerLoop({
      kafka,
      codec,
      topology,
      logger,
      metrics,
      groupId: groups.transactions,
      topics: ['balanceChanged'],
      fromBeginning: true,
      partitionsConsumedConcurrently: 3,
      // transactiondb skips what it stored before (by topic, partition and offset).
      offsetCommit: 'background',
      handle: async (batch) => {
        const { hops } = metrics;
        const traces = new Map<string, { trace: number[]; fetchedAt: number }>();
        for (const m of batch.messages) {
          const trace = parseTrace(m.trace);
          if (trace.length === 0) continue;
          traces.set(m.offset, { trace, fetchedAt: m.fetchedAt });
          observeHop(hops, 'event_consumed', trace, TraceCheckpoint.relayed, m.fetchedAt);
        }
        const rows: NewTransaction[] = batch.messages.map((m) => ({
          iban: m.value.iban,
          newBalance: m.value.new_balance,
          changedBy: m.value.changed_by,
          fromTo: m.value.from_to,
          description: m.value.description,
          createdAt: new Date(m.timestamp),
          topic: topology.balanceChanged.name,
          partition: batch.partition,
          offset: m.offset,
        }));
        const stored = await transactions.insert(rows);
        const storedAt = nowMicros();
        metrics.transactionsStored.inc(stored.length);
        const pushed = hub.publish(stored);
        if (traces.size > 0) {
          for (const row of stored) {
            const t = traces.get(row.offset);
            if (t) hops.observe({ hop: 'transactiondb_stored' }, Math.max(0, storedAt - t.fetchedAt) / 1e6);
          }
          const pushedAt = nowMicros();
          for (const row of pushed) {
            const t = traces.get(row.offset);
            if (!t) continue;
            hops.observe({ hop: 'subscription_pushed' }, Math.max(0, pushedAt - storedAt) / 1e6);
            observeHop(hops, 'total', t.trace, TraceCheckpoint.origin, pushedAt);
          }
        }
        return [];
      },
    });
    // Answers matter only to requests waiting in this process; all others pass by with a map lookup.
    const answerLoop = new ConsumerLoop({
      kafka,
      codec,
      topology,
      logger,
      metrics,
      groupId: groups.answers,
      topics: [
        'accountCreationConfirmed',
        'accountCreationFailed',
        'moneyTransferConfirmed',
        'moneyTransferFailed',
      ],
      fromBeginning: false,
      offsetCommit: 'background',
      handle: async (batch) => {
        for (const m of batch.messages)
          observeHop(
            metrics.hops,
            'answer_consumed',
            parseTrace(m.trace),
            TraceCheckpoint.relayed,
            m.fetchedAt,
          );
        switch (batch.topic) {
          case 'accountCreationConfirmed':
            for (const m of mine(accounts, batch.messages))
              accounts.resolve(m.id, { ok: true, iban: m.value.iban, token: m.value.token });
            break;
          case 'accountCreationFailed':
            for (const m of mine(accounts, batch.messages))
              accounts.resolve(m.id, { ok: false, reason: m.value.reason });
            break;
          case 'moneyTransferConfirmed':
            for (const m of mine(transfers, batch.messages))
              transfers.resolve(m.id, { success: true, reason: null });
            break;
          case 'moneyTransferFailed':
            for (const m of mine(transfers, batch.messages))
              transfers.resolve(m.id, { success: false, reason: m.value.reason });
            break;
        }
        return [];
      },
    });
    cleanups.unshift(() => transactionLoop.stop());
    cleanups.unshift(() => answerLoop.stop());
    await Promise.all([transactionLoop.start(), answerLoop.start()]);

    const live = new LiveMetricsSource({
      targets: config.liveMetricsTargets,
      heartbeatUrl: config.liveHeartbeatUrl,
      heartbeatControl: config.liveHeartbeatControl,
      intervalMs: config.liveMetricsIntervalMs,
      logger,
    });
    cleanups.unshift(async () => live.close());
    const graphiql: Graphiql | undefined = config.graphiql ? await loadGraphiql(GRAPHQL_PATH) : undefined;
    const schema = createBankSchema({
      transactionById: (id) => transactions.byId(id),
      transactionsByIban: (iban, max) => transactions.byIban(iban, max),
      lastTransactions: () => transactions.lastOfEveryIban(),
      streamTransactions: (filter) => hub.subscribe(filter),
      getAccount: (c, caller) => bank.getAccount(c, caller),
      moneyTransfer: (r) => bank.moneyTransfer(r),
      liveMetrics: () => live.subscribe(),
      setHeartbeatRate: (perSecond) => live.setHeartbeatRate(perSecond),
    });
    const health = (): Health => ({
      state,
      detail: { subscriptions: hub.size, pendingAnswers: accounts.size + transfers.size },
    });
    const http = await startHttpServer({
      host: config.httpHost,
      port: config.port,
      schema,
      logger,
      metrics: metrics.registry,
      health,
      security: {
        allowedOrigins: config.allowedOrigins,
        trustedProxies: config.trustedProxies,
        introspection: config.introspection,
        limits: {
          socketsPerClient: config.wsMaxPerClient,
          subscriptionsPerSocket: config.wsMaxSubscriptions,
          pendingPerSocket: config.wsMaxPending,
          idleTimeoutMs: config.wsIdleTimeoutMs,
          initTimeoutMs: config.wsInitTimeoutMs,
        },
      },
      onSocketCountChange: (n) => metrics.webSockets.set(n),
      ...(graphiql ? { graphiql } : {}),
      onRefused: (reason) => metrics.refused.inc({ reason }),
    });
    cleanups.unshift(() => http.close());
    state = 'ok';
    logger.info(
      {
        url: `${http.url}/graphql`,
        groups,
        graphiql: config.graphiql,
        liveMetricsTargets: config.liveMetricsTargets.map((t) => t.name),
        heartbeatControl: live.heartbeatControl,
      },
      'graphql endpoint ready',
    );

    let stopping: Promise<void> | null = null;
    return {
      url: http.url,
      port: http.port,
      metrics,
      health,
      subscriptionCount: () => hub.size,
      guards: { hasher, throttle },
      stop: () => {
        stopping ??= (async () => {
          state = 'stopping';
          // Waiting requests get a clear "try again" answer instead of being cut off.
          accounts.close();
          transfers.close();
          hub.close();
          live.close();
          await http.close();
          await batcher.flush();
          await Promise.all([transactionLoop.stop(), answerLoop.stop()]);
          await producer.disconnect();
          await pool.end();
          logger.info('graphql endpoint stopped');
        })();
        return stopping;
      },
    };
  } catch (e) {
    state = 'failed';
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw e;
  }
}
