// The endpoint against the real stack, with the test playing the command handler: it answers the
// commands the endpoint sends, produces balance changes, and checks what reaches Kafka and PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { readTopic, waitFor } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import {
  bytesToUuid,
  Codec,
  createKafka,
  createRegistry,
  isBankIban,
  keyFor,
  newBankIban,
  newToken,
  producerDefaults,
  type RecordOf,
  type Topology,
} from '@open-bank/topology';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphqlEndpointConfigSpec } from './config.ts';
import { type GraphqlEndpoint, startGraphqlEndpoint } from './service.ts';
import {
  collect,
  endOffsets,
  firstResult,
  type GqlResult,
  postQuery,
  scratchTopology,
  wsClient,
} from './testing/index.ts';

const run = randomUUID().slice(0, 8);
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'warn' });
const ANSWER_TIMEOUT_MS = 3_000;

let kafka: Kafka;
let topology: Topology;
let topicEnv: Record<string, string>;
let removeTopics: () => Promise<void>;
let codec: Codec;
let producer: Producer;
let responder: Consumer;
let endpoint: GraphqlEndpoint;

/** Command ids the endpoint drew: the responder answers only those, and only as `answers` says. */
const ourIds = new Set<string>();
const accountAnswers = new Map<string, 'confirm' | 'fail' | 'ignore'>();
let accountAnswerDefault: 'confirm' | 'fail' | 'ignore' = 'confirm';
const transferAnswers = new Map<string, { success: boolean; reason?: string } | 'ignore'>();
const commandsSeen: { topic: string; key: string | null; id: string }[] = [];

function config(overrides: Record<string, string> = {}) {
  const env = stackEnv();
  return {
    ...parseConfig(graphqlEndpointConfigSpec, {
      ...env,
      ...topicEnv,
      KAFKA_CLIENT_ID: `gql-int-${run}`,
      ANSWER_TIMEOUT_MS: String(ANSWER_TIMEOUT_MS),
      ...overrides,
    }),
    port: 0 as number,
    httpHost: '127.0.0.1',
  };
}

async function produce<T extends 'balanceChanged' | 'moneyTransferConfirmed' | 'moneyTransferFailed'>(
  topic: T,
  values: RecordOf<T>[],
): Promise<void>;
async function produce(
  topic: 'accountCreationConfirmed' | 'accountCreationFailed',
  values: object[],
): Promise<void>;
async function produce(topic: keyof Topology, values: object[]): Promise<void> {
  const t = topology[topic];
  await producer.send({
    topic: t.name,
    acks: -1,
    messages: values.map((v) => ({
      key: keyFor(t, v as never, new Date()),
      value: codec.encode(topic, v as never),
    })),
  });
}

async function startResponder(): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `gql-int-responder-${run}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({
    topics: [topology.confirmAccountCreation.name, topology.confirmMoneyTransfer.name],
    fromBeginning: true,
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const isAccount = batch.topic === topology.confirmAccountCreation.name;
      for (const m of batch.messages) {
        if (isAccount) {
          const v = await codec.decode('confirmAccountCreation', m.value);
          const id = bytesToUuid(v.id);
          commandsSeen.push({ topic: batch.topic, key: m.key?.toString() ?? null, id });
          const how = accountAnswers.get(id) ?? accountAnswerDefault;
          if (!ourIds.has(id) || how === 'ignore') continue;
          if (how === 'confirm') {
            // Idempotent like the real one: the same id gets the same account again.
            let acc = issued.get(id);
            if (!acc) {
              acc = { iban: newBankIban(), token: newToken() };
              issued.set(id, acc);
            }
            await produce('accountCreationConfirmed', [{ id: v.id, ...acc, a_type: v.a_type }]);
          } else {
            await produce('accountCreationFailed', [
              { id: v.id, reason: 'generated iban already exists, try again' },
            ]);
          }
        } else {
          const v = await codec.decode('confirmMoneyTransfer', m.value);
          const id = bytesToUuid(v.id);
          commandsSeen.push({ topic: batch.topic, key: m.key?.toString() ?? null, id });
          const how = transferAnswers.get(id);
          if (!how || how === 'ignore') continue;
          if (how.success) await produce('moneyTransferConfirmed', [{ id: v.id }]);
          else await produce('moneyTransferFailed', [{ id: v.id, reason: how.reason ?? 'no' }]);
        }
      }
    },
  });
  return consumer;
}
const issued = new Map<string, { iban: string; token: string }>();

beforeAll(async () => {
  const env = stackEnv();
  kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: `gql-int-test-${run}` });
  const scratch = await scratchTopology(kafka, env.SCHEMA_REGISTRY_URL, `gql_${run}`);
  topology = scratch.topology;
  topicEnv = scratch.env;
  removeTopics = scratch.remove;
  codec = new Codec(createRegistry(env.SCHEMA_REGISTRY_URL), topology);
  await codec.prepare([
    'balanceChanged',
    'accountCreationConfirmed',
    'accountCreationFailed',
    'moneyTransferConfirmed',
    'moneyTransferFailed',
  ]);
  producer = kafka.producer(producerDefaults);
  await producer.connect();
  responder = await startResponder();
  endpoint = await startGraphqlEndpoint(config(), {
    logger,
    random: {
      uuid: () => {
        const id = randomUUID();
        ourIds.add(id);
        return id;
      },
      bytes: randomBytes,
    },
  });
}, 120_000);

afterAll(async () => {
  await endpoint?.stop();
  await responder?.disconnect();
  await producer?.disconnect();
  await removeTopics?.();
});

const TX_FIELDS = 'id iban new_balance changed_by from_to descr direction';
interface Tx {
  id: number;
  iban: string;
  new_balance: string;
  changed_by: string;
  from_to: string;
  descr: string;
  direction: 'DEBIT' | 'CREDIT';
}

const byIban = async (iban: string, max = 10) =>
  (
    await postQuery<{ transactions_by_iban: Tx[] }>(
      endpoint.url,
      `query ($iban: String!, $max: Int!) { transactions_by_iban(iban: $iban, max_items: $max) { ${TX_FIELDS} } }`,
      { iban, max },
    )
  ).data?.transactions_by_iban ?? [];

const change = (iban: string, newBalance: bigint, changedBy: bigint, description: string) => ({
  iban,
  new_balance: newBalance,
  changed_by: changedBy,
  from_to: 'cash',
  description,
});

describe('balance_changed → transactiondb → queries', () => {
  it('stores every change once, with exact amounts, and serves it newest first', async () => {
    const a = newBankIban();
    const b = newBankIban();
    await produce('balanceChanged', [
      change(a, 2000n, 2000n, 'deposit 1'),
      change(a, 10n ** 17n + 2000n, 10n ** 17n, 'big one'),
      change(a, 10n ** 17n + 766n, -1234n, 'ah pin'),
      change(b, -5n, -5n, 'tiny'),
    ]);
    const rows = await waitFor(
      async () => {
        const r = await byIban(a);
        return r.length === 3 ? r : null;
      },
      { what: 'three transactions of a' },
    );
    expect(rows.map((r) => r.descr)).toEqual(['ah pin', 'big one', 'deposit 1']);
    expect(rows[0]).toMatchObject({
      iban: a,
      new_balance: '€1.000.000.000.000.007,66',
      changed_by: '€12,34',
      from_to: 'cash',
      direction: 'DEBIT',
    });
    expect(rows[1]).toMatchObject({ changed_by: '€1.000.000.000.000.000,00', direction: 'CREDIT' });
    expect(rows[0]?.id).toBeGreaterThan(rows[1]?.id ?? Infinity);

    const one = await postQuery<{ transaction_by_id: Tx }>(
      endpoint.url,
      `query ($id: Int!) { transaction_by_id(id: $id) { ${TX_FIELDS} } }`,
      { id: rows[2]?.id },
    );
    expect(one.data?.transaction_by_id).toEqual(rows[2]);

    const [bRow] = await waitFor(async () => {
      const r = await byIban(b);
      return r.length === 1 ? r : null;
    });
    expect(bRow).toMatchObject({ new_balance: '€-0,05', changed_by: '€0,05', direction: 'DEBIT' });

    const last = await postQuery<{ all_last_transactions: Tx[] }>(
      endpoint.url,
      `{ all_last_transactions { ${TX_FIELDS} } }`,
    );
    const all = last.data?.all_last_transactions ?? [];
    expect(all.filter((t) => t.iban === a || t.iban === b)).toEqual(
      [rows[0], bRow].sort((x, y) => ((x?.iban ?? '') < (y?.iban ?? '') ? -1 : 1)),
    );
    const ibans = all.map((t) => t.iban);
    expect(ibans).toEqual([...ibans].sort());
    expect(new Set(ibans).size).toBe(ibans.length);
  });

  it('does not store a re-delivered message again', async () => {
    const a = newBankIban();
    await produce('balanceChanged', [change(a, 100n, 100n, 'once'), change(a, 200n, 100n, 'twice')]);
    await waitFor(async () => (await byIban(a)).length === 2, { what: 'two transactions' });
    // A second instance in a new consumer group reads the topic from the start: every message again.
    const again = await startGraphqlEndpoint(config({ KAFKA_CLIENT_ID: `gql-int-${run}-again` }), { logger });
    try {
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(topology.balanceChanged.name);
      await admin.disconnect();
      // A scratch topic starts at offset 0: its end offsets add up to the number of messages.
      const total = ends.reduce((sum, p) => sum + Number(p.high), 0);
      await waitFor(
        async () => {
          const handled = await again.metrics.handled.get();
          const seen = handled.values
            .filter((v) => v.labels.topic === topology.balanceChanged.name)
            .reduce((sum, v) => sum + v.value, 0);
          return seen >= total;
        },
        { what: `the second instance to read all ${total} balance changes again` },
      );
      expect((await again.metrics.transactionsStored.get()).values[0]?.value ?? 0).toBe(0);
    } finally {
      await again.stop();
    }
    expect((await byIban(a)).map((t) => t.descr)).toEqual(['twice', 'once']);
  });

  it('measures how fast a backlog of balance changes is stored', async () => {
    // A backlog on topics of its own, produced before an endpoint starts on them: the time to store it is
    // the consumer's and the database's alone, not the producer's.
    const env = stackEnv();
    const load = await scratchTopology(kafka, env.SCHEMA_REGISTRY_URL, `gqlload_${run}`);
    const loadCodec = new Codec(createRegistry(env.SCHEMA_REGISTRY_URL), load.topology);
    await loadCodec.prepare(['balanceChanged']);
    const n = 50_000;
    const ibans = Array.from({ length: 100 }, () => newBankIban());
    // A producer of its own: kafkajs keeps refreshing metadata of every topic a producer wrote to, and
    // these topics are deleted at the end.
    const loadProducer = kafka.producer(producerDefaults);
    await loadProducer.connect();
    for (let i = 0; i < n; i += 5_000) {
      await loadProducer.send({
        topic: load.topology.balanceChanged.name,
        acks: -1,
        messages: Array.from({ length: 5_000 }, (_, j) => {
          const v = change(ibans[(i + j) % ibans.length] as string, BigInt(i + j), 1n, `load ${i + j}`);
          return { key: v.iban, value: loadCodec.encode('balanceChanged', v) };
        }),
      });
    }
    await loadProducer.disconnect();
    const started = performance.now();
    const loader = await startGraphqlEndpoint(config({ ...load.env, KAFKA_CLIENT_ID: `gql-load-${run}` }), {
      logger,
    });
    try {
      const ready = performance.now();
      await waitFor(
        async () => ((await loader.metrics.transactionsStored.get()).values[0]?.value ?? 0) >= n,
        {
          what: `${n} stored transactions`,
          timeoutMs: 150_000,
          intervalMs: 20,
        },
      );
      const done = performance.now();
      const seconds = (done - ready) / 1000;
      process.stdout.write(
        `[graphql-endpoint] backlog of ${n} balance_changed stored in ${seconds.toFixed(2)} s after start ` +
          `(start took ${((ready - started) / 1000).toFixed(2)} s): ${Math.round(n / seconds)} rows/s\n`,
      );
    } finally {
      await loader.stop();
      await load.remove();
    }
  }, 240_000);
});

describe('stream_transactions over WebSocket', () => {
  it('pushes stored transactions to the subscriptions whose filters match', async () => {
    const a = newBankIban();
    const client = wsClient(endpoint.url);
    const base = endpoint.subscriptionCount();
    const q = `subscription ($iban: String, $min: Int, $dir: dtype) {
      stream_transactions(iban: $iban, min_amount: $min, direction: $dir) { ${TX_FIELDS} } }`;
    const all = collect<{ stream_transactions: Tx }>(client, q, { iban: a });
    const debits = collect<{ stream_transactions: Tx }>(client, q, { iban: a, dir: 'DEBIT' });
    const big = collect<{ stream_transactions: Tx }>(client, q, { iban: a, min: 5000 });
    const anyIban = collect<{ stream_transactions: Tx }>(client, q, { min: 77_777 });
    await waitFor(() => endpoint.subscriptionCount() === base + 4, { what: 'four subscriptions' });

    await produce('balanceChanged', [
      change(a, 2000n, 2000n, 'deposit'),
      change(a, -3000n, -5000n, 'transfer'),
      change(a, 77_777n, 80_777n, 'salary'),
    ]);
    const descrs = (c: typeof all) => c.results.map((r) => r.data?.stream_transactions.descr);
    await waitFor(() => all.results.length === 3, { what: 'three events' });
    await waitFor(() => anyIban.results.length >= 1, { what: 'the salary on the any-iban subscription' });
    expect(descrs(all)).toEqual(['deposit', 'transfer', 'salary']);
    expect(descrs(debits)).toEqual(['transfer']);
    expect(descrs(big)).toEqual(['transfer', 'salary']);
    expect(descrs(anyIban)).toContain('salary');
    expect(all.results[1]?.data?.stream_transactions).toMatchObject({
      iban: a,
      new_balance: '€-30,00',
      changed_by: '€50,00',
      direction: 'DEBIT',
    });

    debits.dispose();
    await waitFor(() => endpoint.subscriptionCount() === base + 3, {
      what: 'a completed subscription removed',
    });
    await client.dispose();
    await waitFor(() => endpoint.subscriptionCount() === base, { what: 'subscriptions removed on close' });
  });

  it('removes the subscriptions of a client that vanishes without closing', async () => {
    const base = endpoint.subscriptionCount();
    const ws = new WebSocket(`${endpoint.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const acked = new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await acked;
    for (const id of ['1', '2']) {
      ws.send(
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: { query: 'subscription { stream_transactions { id } }' },
        }),
      );
    }
    await waitFor(() => endpoint.subscriptionCount() === base + 2, { what: 'two raw subscriptions' });
    ws.terminate();
    await waitFor(() => endpoint.subscriptionCount() === base, {
      what: 'cleanup after an abrupt disconnect',
    });
  });
});

describe('get_account', () => {
  const q = `subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { iban token reason } }`;
  type R = { get_account: { iban: string | null; token: string | null; reason: string | null } };

  it('opens an account on first use, answers it again for the password, refuses a wrong password', async () => {
    const client = wsClient(endpoint.url);
    const username = `user-${run}-1`;
    const before = commandsSeen.length;
    const first = await firstResult<R>(client, q, { u: username, p: 'password-1' });
    expect(first.errors).toBeUndefined();
    const account = first.data?.get_account;
    expect(isBankIban(account?.iban ?? '')).toBe(true);
    expect(account?.token).toMatch(/^\d{20}$/);
    expect(account?.reason).toBeNull();
    const sent = commandsSeen.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.key).toBe(sent[0]?.id);

    expect((await firstResult<R>(client, q, { u: username, p: 'password-1' })).data?.get_account).toEqual(
      account,
    );
    expect((await firstResult<R>(client, q, { u: username, p: 'password-2' })).data?.get_account).toEqual({
      iban: null,
      token: null,
      reason: 'incorrect password',
    });
    await client.dispose();
  });

  it('re-sends the same command after a time-out, and a new one after a failure', async () => {
    const client = wsClient(endpoint.url);
    const username = `user-${run}-2`;
    accountAnswerDefault = 'ignore';
    const before = commandsSeen.length;
    const late = await firstResult<R>(client, q, { u: username, p: 'password-1' });
    expect(late.data?.get_account.reason).toBe(
      `no answer from the bank within ${ANSWER_TIMEOUT_MS} ms; please try again`,
    );
    const firstId = commandsSeen.at(-1)?.id as string;
    accountAnswers.set(firstId, 'fail');
    accountAnswerDefault = 'confirm';
    const failed = await firstResult<R>(client, q, { u: username, p: 'password-1' });
    expect(failed.data?.get_account.reason).toBe('generated iban already exists, try again');
    const ok = await firstResult<R>(client, q, { u: username, p: 'password-1' });
    expect(isBankIban(ok.data?.get_account.iban ?? '')).toBe(true);
    const ids = commandsSeen.slice(before).map((c) => c.id);
    expect(ids[0]).toBe(firstId);
    expect(ids[1]).toBe(firstId);
    expect(ids[2]).not.toBe(firstId);
    expect(ids).toHaveLength(3);
    await client.dispose();
  });
});

describe('money_transfer', () => {
  const q = `subscription ($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) {
    money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason } }`;
  type R = { money_transfer: { uuid: string; success: boolean; reason: string | null } };

  it('sends ConfirmMoneyTransfer keyed by the uuid, answers the result, and the known answer for a repeat', async () => {
    const client = wsClient(endpoint.url);
    const uuid = randomUUID();
    const from = newBankIban();
    const token = newToken();
    transferAnswers.set(uuid, { success: false, reason: 'insufficient funds' });
    const vars = { uuid, token, amount: 12_345, from, to: 'NL66OPEN0000000000', descr: 'transfer test' };
    const expected = { uuid, success: false, reason: 'insufficient funds' };
    expect((await firstResult<R>(client, q, vars)).data?.money_transfer).toEqual(expected);
    expect((await firstResult<R>(client, q, vars)).data?.money_transfer).toEqual(expected);
    expect(
      (await firstResult<R>(client, q, { ...vars, uuid: uuid.toUpperCase() })).data?.money_transfer,
    ).toEqual(expected);

    const messages = (await readTopic(kafka, topology.confirmMoneyTransfer.name)).filter(
      (m) => m.key?.toString() === uuid,
    );
    expect(messages).toHaveLength(1);
    const command = await codec.decode('confirmMoneyTransfer', messages[0]?.value ?? null);
    expect(command).toEqual({
      id: Buffer.from(uuid.replaceAll('-', ''), 'hex'),
      token,
      amount: 12_345n,
      from,
      to: 'NL66OPEN0000000000',
      description: 'transfer test',
    });

    const ok = randomUUID();
    transferAnswers.set(ok, { success: true });
    expect((await firstResult<R>(client, q, { ...vars, uuid: ok })).data?.money_transfer).toEqual({
      uuid: ok,
      success: true,
      reason: null,
    });
    await client.dispose();
  });

  it('answers a clear reason when the bank does not answer in time, and the real answer on a retry', async () => {
    const client = wsClient(endpoint.url);
    const uuid = randomUUID();
    transferAnswers.set(uuid, 'ignore');
    const vars = { uuid, token: 'cash', amount: 1000, from: 'cash', to: newBankIban(), descr: 'deposit' };
    const late = await firstResult<R>(client, q, vars);
    expect(late.data?.money_transfer).toEqual({
      uuid,
      success: false,
      reason: `no answer from the bank within ${ANSWER_TIMEOUT_MS} ms; please try again`,
    });
    transferAnswers.set(uuid, { success: true });
    expect((await firstResult<R>(client, q, vars)).data?.money_transfer.success).toBe(true);
    await client.dispose();
  });

  it('refuses every kind of bad input with a clear error and produces nothing, over WebSocket and HTTP', async () => {
    const commandTopics = [topology.confirmMoneyTransfer.name, topology.confirmAccountCreation.name];
    const before = await endOffsets(kafka, commandTopics);
    const client = wsClient(endpoint.url);
    const good = {
      uuid: randomUUID(),
      token: 'cash',
      amount: 1000,
      from: 'cash',
      to: 'NL66OPEN0000000000',
      descr: 'd',
    };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['uuid', { uuid: 'not-a-uuid' }, /uuid must be a UUID/],
      ['amount', { amount: 0 }, /amount must be a whole number of cents from 1/],
      ['amount', { amount: -100 }, /amount must be/],
      ['amount', { amount: 100_000_001 }, /amount must be/],
      ['to', { to: 'NL12OPEN0000000000' }, /to must be 'cash' or a valid IBAN/],
      ['from', { from: 'NL66 OPEN 0000' }, /from must be 'cash' or a valid IBAN/],
      ['descr', { descr: 'x'.repeat(10_000) }, /descr must be at most 200 characters/],
      ['token', { token: '1'.repeat(300) }, /token must be/],
    ];
    for (const [argument, bad, message] of cases) {
      const r: GqlResult = await firstResult(client, q, { ...good, ...bad });
      expect(r.errors?.[0]?.message, argument).toMatch(message);
      expect(r.errors?.[0]?.extensions, argument).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    const tooBig: GqlResult = await firstResult(client, q, { ...good, amount: 2 ** 31 });
    expect(tooBig.errors?.[0]?.message).toMatch(/Int cannot represent/);
    const account = `subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { reason } }`;
    for (const [argument, vars] of [
      ['username', { u: '', p: 'password' }],
      ['username', { u: 'u'.repeat(101), p: 'password' }],
      ['password', { u: `user-${run}-x`, p: 'p'.repeat(129) }],
    ] as const) {
      const r: GqlResult = await firstResult(client, account, vars);
      expect(r.errors?.[0]?.extensions, argument).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    // The same over HTTP, as server-sent events.
    const res = await fetch(`${endpoint.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: q, variables: { ...good, uuid: 'nope' } }),
    });
    expect(await res.text()).toContain('uuid must be a UUID');
    await client.dispose();
    expect(await endOffsets(kafka, commandTopics)).toEqual(before);
  });
});

describe('limits, ops routes and the frontend', () => {
  it('applies the query limits on WebSocket as on HTTP and keeps the socket usable', async () => {
    const client = wsClient(endpoint.url);
    const deep = `subscription { stream_transactions { ${'... on Transaction { '.repeat(8)} id ${'} '.repeat(8)} } }`;
    const d: GqlResult = await firstResult(client, deep);
    expect(d.errors?.[0]?.message).toMatch(/depth limit/);
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: all_last_transactions { id }`).join(' ');
    const a: GqlResult = await firstResult(client, `{ ${aliases} }`);
    expect(a.errors?.[0]?.message).toMatch(/aliases limit/i);
    const t: GqlResult = await firstResult(client, `{ ${'transaction_by_id(id: 1) { id } '.repeat(200)} }`);
    expect(t.errors?.[0]?.message).toMatch(/token limit/i);
    const h = await postQuery(endpoint.url, `{ ${aliases} }`);
    expect(h.errors?.[0]?.message).toMatch(/aliases limit/i);
    const fine: GqlResult = await firstResult(client, '{ transaction_by_id(id: -1) { id } }');
    expect(fine).toEqual({ data: { transaction_by_id: null } });
    await client.dispose();
  });

  it('serves /health and /metrics, and nothing else outside /graphql', async () => {
    const health = await fetch(`${endpoint.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${endpoint.url}/metrics`)).text();
    expect(metrics).toContain('open_bank_transactions_stored_total');
    expect(metrics).toContain(
      `open_bank_messages_handled_total{topic="${topology.balanceChanged.name}",outcome="ok"`,
    );
    expect(metrics).toContain('open_bank_graphql_answer_seconds_bucket');
    expect((await fetch(`${endpoint.url}/`)).status).toBe(404);
  });
});
