import { randomBytes, randomUUID } from 'node:crypto';
import {
  ConsumerLoop,
  createServiceContext,
  type Health,
  type Logger,
  nowMicros,
  stampSent,
} from '@open-bank/runtime';
import { ANSWER_TOPICS, answerHandler } from './answers.ts';
import { type AccountAnswer, Bank, type Random, type TransferAnswer } from './bank.ts';
import { commandEncoder } from './commands.ts';
import type { GraphqlEndpointConfig } from './config.ts';
import { loadGraphiql } from './graphiql.ts';
import { TransactionHub } from './hub.ts';
import { LiveMetricsSource } from './live/source.ts';
import { DEFAULT_THROTTLE, LoginThrottle } from './login-throttle.ts';
import { createEndpointMetrics, type EndpointMetrics } from './metrics.ts';
import { PasswordHasher } from './password.ts';
import { PendingAnswers } from './pending.ts';
import { transactionProjection } from './projection.ts';
import { createBankSchema } from './schema.ts';
import { Semaphore } from './semaphore.ts';
import { SendBatcher } from './send-batcher.ts';
import { GRAPHQL_PATH, startHttpServer } from './server.ts';
import { createPool, PgBankStore, TransactionStore } from './store.ts';

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

/**
 * The static group member id (KIP-345) of the instance named `instance` in the group `groupId`: the same after
 * every restart, so a restarted endpoint takes its partitions back at once. Each of its groups has this one
 * member, which otherwise (a fresh member id) waits for the killed process's session to time out, and
 * requests wait for that join.
 */
export const groupInstanceId = (groupId: string, instance: string): string => `${groupId}-${instance}`;

export async function startGraphqlEndpoint(
  config: GraphqlEndpointConfig,
  deps: EndpointDeps = {},
): Promise<GraphqlEndpoint> {
  const context = await createServiceContext(SERVICE, config, {
    logger: deps.logger,
    metrics: deps.metrics ?? createEndpointMetrics(SERVICE),
  });
  const { kafka, codec, topology, logger, metrics, scope } = context;
  const random = deps.random ?? { uuid: randomUUID, bytes: randomBytes };
  const clock = deps.clock ?? (() => new Date());

  return scope.start(async () => {
    // Registered first, so it runs last.
    scope.defer('stopped log', () => logger.info('graphql endpoint stopped'));
    const pool = await scope.open(
      'database pool',
      () => createPool({ host: config.dbHostname, port: config.dbPort, password: config.dbPassword }),
      (p) => p.end(),
    );
    pool.on('error', (e) => logger.warn({ err: e }, 'idle database connection failed'));
    const transactions = new TransactionStore(pool);

    const producer = kafka.producer();
    scope.defer('producer', () => producer.disconnect());
    const batcher = new SendBatcher(async (messages) => {
      const acked = stampSent(messages, metrics.hops);
      await producer.send(messages);
      acked();
    });
    scope.defer('send batcher', () => batcher.flush());

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
    const hasher = new PasswordHasher(new Semaphore(config.hashConcurrency), random.bytes);
    const throttle = new LoginThrottle(() => clock().getTime(), {
      ...DEFAULT_THROTTLE,
      freeFailures: config.loginFreeFailures,
      usernameFreeFailures: Math.max(DEFAULT_THROTTLE.usernameFreeFailures, config.loginFreeFailures * 3),
      failuresPerMinute: config.loginFailuresPerMinute,
      maxDelayMs: config.loginMaxDelayMs,
    });
    const groups = groupIds(config.clientId);
    const transactionLoop = new ConsumerLoop({
      ...context,
      groupId: groups.transactions,
      groupInstanceId: groupInstanceId(groups.transactions, config.instance),
      topics: ['balanceChanged'],
      fromBeginning: true,
      partitionsConsumedConcurrently: 3,
      // transactiondb skips what it stored before (by topic, partition and offset).
      offsetCommit: 'background',
      handle: transactionProjection({ transactions, hub, topology, metrics }),
      // Fenced by a newer member under the same instance name: this one no longer reads, so it says so.
      onFatal: (error) => scope.fail({ error: error.message }),
    });
    const answerLoop = new ConsumerLoop({
      ...context,
      groupId: groups.answers,
      groupInstanceId: groupInstanceId(groups.answers, config.instance),
      topics: ANSWER_TOPICS,
      fromBeginning: false,
      offsetCommit: 'background',
      handle: answerHandler({ accounts, transfers, metrics }),
      onFatal: (error) => scope.fail({ error: error.message }),
    });
    scope.defer('transaction loop', () => transactionLoop.stop());
    scope.defer('answer loop', () => answerLoop.stop());

    // Independent of each other, so at once: the registry look-ups, the database, the producer, both
    // consumers' connections and GraphiQL's assets; the schema is built while they are on their way.
    const connected = scope.all([
      config.graphiql ? loadGraphiql(GRAPHQL_PATH) : Promise.resolve(undefined),
      codec.prepare(['confirmAccountCreation', 'confirmMoneyTransfer']),
      pool.query('SELECT 1 FROM transaction LIMIT 1'),
      producer.connect(),
      transactionLoop.connect(),
      answerLoop.connect(),
    ] as const);
    // A group's join waits for its other members, so the port opens before: /health says 'starting'
    // until both are joined. A fresh answer group starts at the end of the topics, so a command sent before
    // it joined could have its answer go unseen: commands wait for the join (queries need neither group).
    const joined = scope.all([transactionLoop.start(), answerLoop.start()] as const);
    // Their failures are thrown where they are awaited below; this only keeps them from counting as
    // unhandled in the meantime.
    connected.catch(() => undefined);
    joined.catch(() => undefined);
    const bank = new Bank({
      hasher,
      throttle,
      onThrottled: (username, client, retryInMs) => {
        metrics.refused.inc({ reason: 'login_throttled' });
        logger.warn({ username, client, retryInMs }, 'refused: too many failed logins');
      },
      store: new PgBankStore(pool),
      encoder: commandEncoder(codec, clock),
      send: async (m) => {
        await joined;
        await batcher.send(m);
      },
      accounts,
      transfers,
      random,
      clockMicros: nowMicros,
      observe: (command, outcome, seconds) => metrics.answerSeconds.observe({ command, outcome }, seconds),
    });

    const live = await scope.open(
      'live metrics',
      () =>
        new LiveMetricsSource({
          targets: config.liveMetricsTargets,
          heartbeatUrl: config.liveHeartbeatUrl,
          heartbeatControl: config.liveHeartbeatControl,
          intervalMs: config.liveMetricsIntervalMs,
          logger,
        }),
      (l) => l.close(),
    );
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
    scope.describe(() => ({
      instance: config.instance,
      subscriptions: hub.size,
      pendingAnswers: accounts.size + transfers.size,
    }));
    const [graphiql] = await connected;
    const http = await scope.open(
      'http server',
      () =>
        startHttpServer({
          host: config.httpHost,
          port: config.port,
          schema,
          logger,
          metrics: metrics.registry,
          health: () => scope.health(),
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
        }),
      (h) => h.close(),
    );
    // Closed first at stop: waiting requests get a clear "try again" answer instead of being cut off.
    scope.defer('waiting requests and subscriptions', () => {
      accounts.close();
      transfers.close();
      hub.close();
    });
    await joined;
    scope.ready();
    logger.info(
      {
        url: `${http.url}/graphql`,
        groups,
        instance: config.instance,
        graphiql: config.graphiql,
        liveMetricsTargets: config.liveMetricsTargets.map((t) => t.name),
        heartbeatControl: live.heartbeatControl,
      },
      'graphql endpoint ready',
    );
    return {
      url: http.url,
      port: http.port,
      metrics,
      health: () => scope.health(),
      subscriptionCount: () => hub.size,
      guards: { hasher, throttle },
      stop: () => scope.stop(),
    };
  });
}
