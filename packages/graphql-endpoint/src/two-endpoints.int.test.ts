// Two endpoint instances on one transactiondb, each with consumer groups of its own (told apart by
// KAFKA_CLIENT_ID), with the real command handler: subscribers on either instance see every balance change
// exactly once, and every request is answered by the instance it was sent to.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import type { Incoming } from '@open-bank/runtime';
import { freePort, readTopic, type ServiceProcess, spawnService, waitFor } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import {
  Codec,
  createKafka,
  createRegistry,
  newBankIban,
  type RecordOf,
  type Topology,
} from '@open-bank/topology';
import type { Client } from 'graphql-ws';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlEndpointConfigSpec } from './config.ts';
import { TransactionHub } from './hub.ts';
import { createEndpointMetrics } from './metrics.ts';
import { transactionProjection } from './projection.ts';
import { type GraphqlEndpoint, startGraphqlEndpoint } from './service.ts';
import { createPool, TransactionStore } from './store.ts';
import { collect, firstResult, scratchTopology, wsClient } from './testing/index.ts';
import type { TransactionRow } from './transaction.ts';

const run = randomUUID().slice(0, 8);
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' });

let kafka: Kafka;
let topology: Topology;
let topicEnv: Record<string, string>;
let removeTopics: () => Promise<void>;
let commandHandler: ServiceProcess;
const endpoints: GraphqlEndpoint[] = [];
const clients: Client[] = [];

const ACCOUNT = `subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { iban token reason } }`;
const TRANSFER = `subscription ($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) {
  money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason } }`;
const STREAM = `subscription { stream_transactions { id iban new_balance changed_by descr } }`;
type Account = { get_account: { iban: string | null; token: string | null; reason: string | null } };
type Transfer = { money_transfer: { uuid: string; success: boolean; reason: string | null } };
type Streamed = { id: number; iban: string; new_balance: string; changed_by: string; descr: string };

/** Each instance has groups of its own (KAFKA_CLIENT_ID) and a static member name of its own. */
function config(clientId: string, instance: string) {
  return {
    ...parseConfig(graphqlEndpointConfigSpec, {
      ...stackEnv(),
      ...topicEnv,
      KAFKA_CLIENT_ID: clientId,
      GRAPHQL_ENDPOINT_INSTANCE: instance,
    }),
    port: 0 as number,
    httpHost: '127.0.0.1',
  };
}

/** Requests this endpoint answered itself (an answer its own answer group consumed), by command. */
async function answered(endpoint: GraphqlEndpoint, command: 'account' | 'transfer'): Promise<number> {
  const { values } = await endpoint.metrics.answerSeconds.get();
  return values
    .filter(
      (v) =>
        v.metricName === 'open_bank_graphql_answer_seconds_count' &&
        v.labels.command === command &&
        v.labels.outcome === 'answered',
    )
    .reduce((sum, v) => sum + v.value, 0);
}

async function stored(endpoint: GraphqlEndpoint): Promise<number> {
  return (await endpoint.metrics.transactionsStored.get()).values[0]?.value ?? 0;
}

beforeAll(async () => {
  const env = stackEnv();
  kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: `twoep-test-${run}` });
  const scratch = await scratchTopology(kafka, env.SCHEMA_REGISTRY_URL, `twoep_${run}`);
  topology = scratch.topology;
  topicEnv = scratch.env;
  removeTopics = scratch.remove;
  const handlerPort = await freePort();
  commandHandler = spawnService({
    name: 'command-handler',
    entry: 'packages/command-handler/src/main.ts',
    env: {
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
      DB_HOSTNAME: env.DB_HOSTNAME,
      DB_PORT: env.DB_PORT,
      DB_PASSWORD: env.DB_PASSWORD,
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...topicEnv,
      COMMAND_HANDLER_PORT: String(handlerPort),
      COMMAND_HANDLER_INSTANCE: `twoep-${run}`,
    },
  });
  const [a, b] = await Promise.all([
    startGraphqlEndpoint(config(`twoep-${run}-a`, 'a'), { logger }),
    startGraphqlEndpoint(config(`twoep-${run}-b`, 'b'), { logger }),
    commandHandler.waitForHealthy(`http://127.0.0.1:${handlerPort}/health`, 90_000),
  ]);
  endpoints.push(a, b);
  clients.push(wsClient(a.url), wsClient(b.url));
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await Promise.all(endpoints.map((e) => e.stop()));
  await commandHandler?.stop();
  await removeTopics?.();
});

describe('two endpoint instances on one transactiondb', () => {
  it('each streams every balance change exactly once to its own subscribers, and answers its own requests', async (ctx) => {
    ctx.onTestFailed(() => {
      process.stdout.write(`command handler output:\n${commandHandler.output().slice(-3000)}\n`);
    });
    const [a, b] = endpoints as [GraphqlEndpoint, GraphqlEndpoint];
    const [onA, onB] = clients as [Client, Client];
    const streams = [onA, onB].map((c) => collect<{ stream_transactions: Streamed }>(c, STREAM));
    await waitFor(() => a.subscriptionCount() === 1 && b.subscriptionCount() === 1, {
      what: 'a live subscription on each endpoint',
    });

    // One account opened through each endpoint. On a stack just started, the handler's first answers can
    // take longer than the endpoint waits; a user then asks again, as here (the same command is re-sent).
    const owners = await Promise.all(
      [onA, onB].map(async (client, i) => {
        for (let attempt = 1; ; attempt++) {
          const r = await firstResult<Account>(client, ACCOUNT, { u: `twoep-${run}-${i}`, p: 'open-sesame' });
          const { iban, token, reason } = r.data?.get_account ?? {};
          if (attempt < 3 && reason?.includes('try again')) continue;
          expect(reason, JSON.stringify(r)).toBeNull();
          return { iban: iban as string, token: token as string };
        }
      }),
    );
    const [x, y] = owners as [{ iban: string; token: string }, { iban: string; token: string }];

    // Waves of requests through both endpoints at once: deposits to both accounts, transfers between them
    // (two events each) and a withdrawal, so both instances store the same partitions at the same moments.
    // A first deposit to each account covers what a wave takes out, whatever order the handler sees.
    const sentTo = [0, 0];
    const send = (via: number, request: Record<string, unknown>, descr: string) => {
      sentTo[via] = (sentTo[via] ?? 0) + 1;
      const uuid = randomUUID();
      return firstResult<Transfer>(clients[via] as Client, TRANSFER, { ...request, uuid, descr }).then(
        (res) =>
          expect(res.data?.money_transfer, JSON.stringify(res)).toEqual({
            uuid,
            success: true,
            reason: null,
          }),
      );
    };
    await Promise.all(
      [x, y].map((o, via) =>
        send(via, { token: 'cash', from: 'cash', to: o.iban, amount: 100_000 }, 'opening'),
      ),
    );
    const waves = 6;
    for (let wave = 0; wave < waves; wave++) {
      const requests = [
        { token: 'cash', from: 'cash', to: x.iban, amount: 10_000 },
        { token: 'cash', from: 'cash', to: y.iban, amount: 10_000 },
        { token: x.token, from: x.iban, to: y.iban, amount: 1_234 },
        { token: y.token, from: y.iban, to: x.iban, amount: 567 },
        { token: x.token, from: x.iban, to: 'cash', amount: 100 },
      ];
      await Promise.all(requests.map((r, i) => send((wave + i) % 2, r, `wave ${wave} request ${i}`)));
    }
    // Each answer reached the instance that sent the request (a miss would have timed out there).
    expect([await answered(a, 'transfer'), await answered(b, 'transfer')]).toEqual(sentTo);
    expect(await answered(a, 'account')).toBeGreaterThanOrEqual(1);
    expect(await answered(b, 'account')).toBeGreaterThanOrEqual(1);

    // What the bank published, per IBAN in order: the truth each subscriber must see.
    const codec = new Codec(createRegistry(stackEnv().SCHEMA_REGISTRY_URL), topology);
    await codec.prepare(['balanceChanged']);
    const events = await Promise.all(
      (await readTopic(kafka, topology.balanceChanged.name)).map((m) =>
        codec.decode('balanceChanged', m.value),
      ),
    );
    // Two opening deposits; per wave 2 deposits, 2 transfers between the accounts (two events each) and
    // a withdrawal.
    expect(events).toHaveLength(2 + waves * 7);
    const chains = (list: { iban: string; descr: string }[]) => {
      const byIban = new Map<string, string[]>();
      for (const e of list) byIban.set(e.iban, [...(byIban.get(e.iban) ?? []), e.descr]);
      return Object.fromEntries([...byIban].sort(([i], [j]) => (i < j ? -1 : 1)));
    };
    const expected = chains(events.map((e) => ({ iban: e.iban, descr: e.description })));

    for (const [i, stream] of streams.entries()) {
      await waitFor(() => stream.results.length >= events.length, {
        what: `all ${events.length} events on endpoint ${i}'s subscription (has ${stream.results.length})`,
        timeoutMs: 20_000,
      });
    }
    // Time for a duplicate to show up, if one were on its way.
    await new Promise((r) => setTimeout(r, 1_000));
    for (const stream of streams) {
      expect(stream.errors).toEqual([]);
      const rows = stream.results.map((r) => r.data?.stream_transactions as Streamed);
      expect(rows).toHaveLength(events.length);
      expect(new Set(rows.map((r) => r.id)).size).toBe(events.length);
      // Every event, once, and each IBAN's in the order of the topic.
      expect(chains(rows)).toEqual(expected);
    }
    // Both instances stored the same messages; each row was inserted once, by one of them.
    expect((await stored(a)) + (await stored(b))).toBe(events.length);
    for (const s of streams) s.dispose();
  });
});

describe('the projection on transactiondb, as two instances run it', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    const env = stackEnv();
    pool = createPool({ host: env.DB_HOSTNAME, port: Number(env.DB_PORT), password: env.DB_PASSWORD });
  });
  afterAll(() => pool?.end());

  /** One instance's projection with a subscriber of its own that sees every row. */
  function instance(direct: Topology) {
    const hub = new TransactionHub();
    const subscriber = hub.subscribe({});
    const seen: TransactionRow[] = [];
    void (async () => {
      for await (const row of subscriber) seen.push(row);
    })();
    const metrics = createEndpointMetrics('graphql-endpoint');
    const project = transactionProjection({
      transactions: new TransactionStore(pool),
      hub,
      topology: direct,
      metrics,
    });
    return {
      project,
      descriptions: async () => {
        await new Promise((r) => setImmediate(r));
        return seen.map((t) => t.description);
      },
      stored: async () => (await metrics.transactionsStored.get()).values[0]?.value ?? 0,
      close: () => hub.close(),
    };
  }

  it('pushes each message once per instance, whichever instance stored it, re-deliveries included', async () => {
    // A topic name of its own: the rows land in the shared transactiondb and must meet no others.
    const direct = {
      ...topology,
      balanceChanged: { ...topology.balanceChanged, name: `${topology.balanceChanged.name}_direct` },
    } as Topology;
    const iban = newBankIban();
    const batch = (from: number, to: number) => ({
      topic: 'balanceChanged' as const,
      partition: 2,
      messages: Array.from(
        { length: to - from + 1 },
        (_, i): Incoming<RecordOf<'balanceChanged'>> => ({
          partition: 2,
          offset: String(from + i),
          key: iban,
          value: {
            iban,
            new_balance: BigInt(from + i),
            changed_by: 1n,
            from_to: 'cash',
            description: `m${from + i}`,
          },
          timestamp: Date.now(),
          trace: undefined,
          fetchedAt: 0,
        }),
      ),
    });
    const names = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);
    const one = instance(direct);
    const two = instance(direct);
    try {
      await one.project(batch(0, 4));
      expect(await one.descriptions()).toEqual(names(0, 4));
      // A re-delivered batch, then one overlapping what was pushed: only what is new to this instance.
      await one.project(batch(0, 4));
      await one.project(batch(3, 7));
      expect(await one.descriptions()).toEqual(names(0, 7));
      expect(await one.stored()).toBe(8);

      // The other instance reads the same messages, all stored already: it pushes every one, stores none.
      await two.project(batch(0, 7));
      expect(await two.descriptions()).toEqual(names(0, 7));
      expect(await two.stored()).toBe(0);

      // Both at the same moment: each pushes every row once, in offset order; each row is stored once.
      await Promise.all([one.project(batch(8, 40)), two.project(batch(8, 40))]);
      expect(await one.descriptions()).toEqual(names(0, 40));
      expect(await two.descriptions()).toEqual(names(0, 40));
      expect((await one.stored()) + (await two.stored())).toBe(41);
    } finally {
      one.close();
      two.close();
      await pool.query('DELETE FROM transaction WHERE kafka_topic = $1', [direct.balanceChanged.name]);
    }
  });
});
