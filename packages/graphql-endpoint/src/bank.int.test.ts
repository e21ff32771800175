// The endpoint with the real command handler, both as child processes on topics of their own: what a
// user of the frontend does — open an account, deposit, watch the transaction arrive — end to end.
import { randomUUID } from 'node:crypto';
import { HOPS } from '@open-bank/contract';
import {
  freePort,
  readTopic,
  type ServiceProcess,
  spawnService,
  TEST_KAFKA_CLIENTS,
  waitFor,
} from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import { createKafka, isBankIban, type Topology } from '@open-bank/topology';
import type { Client } from 'graphql-ws';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let kafka: Kafka;
let topology: Topology;
let removeTopics: () => Promise<void>;
let commandHandler: ServiceProcess;
let endpoint: ServiceProcess;
let url: string;
let client: Client;
let handlerPort: number;

const ACCOUNT = `subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { iban token reason } }`;
const TRANSFER = `subscription ($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) {
  money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason } }`;
const STREAM = `subscription ($iban: String) {
  stream_transactions(iban: $iban) { id iban new_balance changed_by from_to descr direction } }`;
type Account = { get_account: { iban: string | null; token: string | null; reason: string | null } };
type Transfer = { money_transfer: { uuid: string; success: boolean; reason: string | null } };
type Stream = { stream_transactions: Record<string, unknown> };

/** Observations per hop of open_bank_hop_seconds on a service's /metrics. */
async function hopCounts(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^open_bank_hop_seconds_count\{[^}]*hop="([a-z_]+)"[^}]*\} (\d+)/.exec(line);
    if (m) counts.set(m[1] as string, Number(m[2]));
  }
  return counts;
}

async function subscriptionsOpen(): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('open_bank_graphql_transaction_subscriptions'));
  return Number(line?.split(' ').at(-1));
}

/** mod-97 over the whole IBAN, independent of the code under test. */
function mod97(iban: string): number {
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest;
}

// The whole path on each Kafka client: both services run on the one under test.
describe.each(TEST_KAFKA_CLIENTS)(
  'the bank through GraphQL, with the real command handler, on %s',
  (kafkaClient) => {
    beforeAll(async () => {
      const env = stackEnv();
      kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: `gql-bank-test-${run}` });
      const scratch = await scratchTopology(kafka, env.SCHEMA_REGISTRY_URL, `gqlbank_${run}_${kafkaClient}`);
      topology = scratch.topology;
      removeTopics = scratch.remove;
      const common = {
        KAFKA_BROKERS: env.KAFKA_BROKERS,
        SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
        DB_HOSTNAME: env.DB_HOSTNAME,
        DB_PORT: env.DB_PORT,
        DB_PASSWORD: env.DB_PASSWORD,
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        KAFKA_CLIENT: kafkaClient,
        ...scratch.env,
      };
      handlerPort = await freePort();
      commandHandler = spawnService({
        name: 'command-handler',
        entry: 'packages/command-handler/src/main.ts',
        env: {
          ...common,
          COMMAND_HANDLER_PORT: String(handlerPort),
          COMMAND_HANDLER_INSTANCE: `gql-test-${run}-${kafkaClient}`,
        },
      });
      const port = await freePort();
      endpoint = spawnService({
        name: 'graphql-endpoint',
        entry: 'packages/graphql-endpoint/src/main.ts',
        env: {
          ...common,
          GRAPHQL_PORT: String(port),
          KAFKA_CLIENT_ID: `gql-bank-${run}-${kafkaClient}`,
          LOG_LEVEL: 'info',
        },
      });
      url = `http://127.0.0.1:${port}`;
      await Promise.all([
        commandHandler.waitForHealthy(`http://127.0.0.1:${handlerPort}/health`, 90_000),
        endpoint.waitForHealthy(`${url}/health`, 90_000),
      ]);
      client = wsClient(url);
    }, 180_000);

    afterAll(async () => {
      await client?.dispose();
      await endpoint?.stop();
      await commandHandler?.stop();
      await removeTopics?.();
    });

    let iban: string;
    let token: string;
    const username = `anna-${run}-${kafkaClient}`;

    it('opens an account for a new username, answers the same one again, refuses a wrong password', async () => {
      const first = await firstResult<Account>(client, ACCOUNT, { u: username, p: 'open-sesame' });
      expect(first.errors).toBeUndefined();
      iban = first.data?.get_account.iban as string;
      token = first.data?.get_account.token as string;
      expect(iban).toMatch(/^NL\d{2}OPEN0\d{9}$/);
      expect(mod97(iban)).toBe(1);
      expect(isBankIban(iban)).toBe(true);
      expect(token).toMatch(/^\d{20}$/);
      expect(first.data?.get_account.reason).toBeNull();

      const again = await firstResult<Account>(client, ACCOUNT, { u: username, p: 'open-sesame' });
      expect(again.data?.get_account).toEqual({ iban, token, reason: null });
      const wrong = await firstResult<Account>(client, ACCOUNT, { u: username, p: 'open-sesame!' });
      expect(wrong.data?.get_account).toEqual({ iban: null, token: null, reason: 'incorrect password' });
    });

    it('deposits cash and streams the transaction to a subscription on the iban', async () => {
      const stream = collect<Stream>(client, STREAM, { iban });
      await waitFor(async () => (await subscriptionsOpen()) === 1, { what: 'the subscription to be live' });
      const uuid = randomUUID();
      const deposit = await firstResult<Transfer>(client, TRANSFER, {
        uuid,
        token: 'cash',
        amount: 2000,
        from: 'cash',
        to: iban,
        descr: 'deposit',
      });
      expect(deposit.data?.money_transfer).toEqual({ uuid, success: true, reason: null });
      await waitFor(() => stream.results.length >= 1, {
        what: 'the deposit on the stream',
        timeoutMs: 30_000,
      }).catch(async (e) => {
        const metrics = (await (await fetch(`${url}/metrics`)).text())
          .split('\n')
          .filter((l) => l.startsWith('open_bank_') && !l.includes('_bucket'))
          .join('\n');
        const stored = await postQuery(
          url,
          `{ transactions_by_iban(iban: "${iban}", max_items: 5) { id descr } }`,
        );
        const changes = await readTopic(kafka, topology.balanceChanged.name);
        throw new Error(
          `${e.message}; stream errors: ${JSON.stringify(stream.errors)}; stored: ${JSON.stringify(stored)}; ` +
            `on topic: ${changes.map((m) => `${m.partition}/${m.offset}/${m.key}`).join(',')}; metrics:\n${metrics}\n` +
            `endpoint: ${endpoint.output().slice(-3000)}`,
        );
      });
      expect(stream.results[0]?.data?.stream_transactions).toMatchObject({
        iban,
        new_balance: '€20,00',
        changed_by: '€20,00',
        from_to: 'cash',
        descr: 'deposit',
        direction: 'CREDIT',
      });
      stream.dispose();
    });

    it('moves every hop of the trace, each on the service where it ends, with one deposit', async () => {
      const handlerUrl = `http://127.0.0.1:${handlerPort}`;
      const owners: Record<string, string[]> = {
        [url]: [
          'command_sent',
          'command_acked',
          'answer_consumed',
          'event_consumed',
          'transactiondb_stored',
          'subscription_pushed',
          'total',
        ],
        [handlerUrl]: ['command_fetched', 'balancedb_committed', 'outbox_relayed', 'kafka_committed'],
      };
      expect(new Set(Object.values(owners).flat())).toEqual(new Set(HOPS));
      const own = await firstResult<Account>(client, ACCOUNT, {
        u: `traced-${run}-${kafkaClient}`,
        p: 'open-sesame',
      });
      const tracedIban = own.data?.get_account.iban as string;
      const before = new Map(
        await Promise.all(Object.keys(owners).map(async (u) => [u, await hopCounts(u)] as const)),
      );
      const stream = collect<Stream>(client, STREAM, { iban: tracedIban });
      await waitFor(async () => (await subscriptionsOpen()) === 1, { what: 'the subscription to be live' });
      const deposit = await firstResult<Transfer>(client, TRANSFER, {
        uuid: randomUUID(),
        token: 'cash',
        amount: 1000,
        from: 'cash',
        to: tracedIban,
        descr: 'traced deposit',
      });
      expect(deposit.data?.money_transfer.success).toBe(true);
      await waitFor(() => stream.results.length >= 1, {
        what: 'the deposit on the stream',
        timeoutMs: 30_000,
      });
      stream.dispose();
      for (const [u, hops] of Object.entries(owners)) {
        await waitFor(
          async () => {
            const now = await hopCounts(u);
            return hops.every((h) => (now.get(h) ?? 0) > (before.get(u)?.get(h) ?? 0));
          },
          { what: `every hop of ${hops.join(', ')} to move on ${u}`, timeoutMs: 20_000 },
        );
      }
    });

    it('answers a repeated uuid the same and changes the balance once', async (ctx) => {
      ctx.onTestFailed(() => {
        process.stdout.write(`endpoint output:\n${endpoint.output().slice(-5000)}\n`);
      });
      const uuid = randomUUID();
      const vars = { uuid, token: 'cash', amount: 5000, from: 'cash', to: iban, descr: 'deposit twice' };
      const one = await firstResult<Transfer>(client, TRANSFER, vars);
      const two = await firstResult<Transfer>(client, TRANSFER, vars);
      // And from another connection, as after a reload of the page.
      const other = wsClient(url);
      const three = await firstResult<Transfer>(other, TRANSFER, vars);
      await other.dispose();
      expect(one.data?.money_transfer).toEqual({ uuid, success: true, reason: null });
      expect(two).toEqual(one);
      expect(three).toEqual(one);
      // A later transfer shows the balance moved by 50 euro once: 20 + 50 - 11,11.
      const payment = await firstResult<Transfer>(client, TRANSFER, {
        uuid: randomUUID(),
        token,
        amount: 1111,
        from: iban,
        to: 'NL66OPEN0000000000',
        descr: 'to the company',
      });
      expect(payment.data?.money_transfer.success).toBe(true);
      const rows = await waitFor(
        async () => {
          const r = await postQuery<{ transactions_by_iban: Record<string, unknown>[] }>(
            url,
            'query ($iban: String!) { transactions_by_iban(iban: $iban, max_items: 10) { new_balance changed_by descr direction } }',
            { iban },
          );
          const list = r.data?.transactions_by_iban ?? [];
          return list.length >= 3 ? list : null;
        },
        { what: 'three transactions of the account' },
      );
      expect(rows).toEqual([
        { new_balance: '€58,89', changed_by: '€11,11', descr: 'to the company', direction: 'DEBIT' },
        { new_balance: '€70,00', changed_by: '€50,00', descr: 'deposit twice', direction: 'CREDIT' },
        { new_balance: '€20,00', changed_by: '€20,00', descr: 'deposit', direction: 'CREDIT' },
      ]);
      const changes = (await readTopic(kafka, topology.balanceChanged.name)).filter(
        (m) => m.key?.toString() === iban,
      );
      expect(changes).toHaveLength(3);
    });

    it('passes the command handler’s refusals on as reasons', async () => {
      const base = { token, from: iban, to: 'NL66OPEN0000000000', descr: 'too much' };
      const broke = await firstResult<Transfer>(client, TRANSFER, {
        ...base,
        uuid: randomUUID(),
        amount: 100_000,
      });
      expect(broke.data?.money_transfer).toMatchObject({ success: false, reason: 'insufficient funds' });
      const thief = await firstResult<Transfer>(client, TRANSFER, {
        ...base,
        uuid: randomUUID(),
        amount: 100,
        token: '12345678901234567890',
      });
      expect(thief.data?.money_transfer).toMatchObject({ success: false, reason: 'invalid token' });
    });

    it('produces nothing for bad input', async () => {
      const topics = [topology.confirmMoneyTransfer.name, topology.confirmAccountCreation.name];
      const before = await endOffsets(kafka, topics);
      const good = { uuid: randomUUID(), token: 'cash', amount: 1000, from: 'cash', to: iban, descr: 'd' };
      const bad = [
        { uuid: 'abc' },
        { amount: 0 },
        { amount: -1 },
        { amount: 2_000_000_000 },
        { to: 'NL00OPEN0000000000' },
        { descr: 'x'.repeat(1000) },
      ];
      for (const change of bad) {
        const r: GqlResult = await firstResult(client, TRANSFER, { ...good, ...change });
        expect(r.errors?.[0]?.extensions?.code, JSON.stringify(change).slice(0, 60)).toBe('BAD_USER_INPUT');
      }
      const long: GqlResult = await firstResult(client, ACCOUNT, { u: 'u'.repeat(1000), p: 'password' });
      expect(long.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await endOffsets(kafka, topics)).toEqual(before);
    });

    it('measures the time from a deposit to its transaction on the stream', async () => {
      const stream = collect<Stream>(client, STREAM, { iban });
      await waitFor(async () => (await subscriptionsOpen()) === 1, { what: 'the subscription to be live' });
      const answered: number[] = [];
      const streamed: number[] = [];
      for (let i = 0; i < 20; i++) {
        const seen = stream.results.length;
        const started = performance.now();
        const r = await firstResult<Transfer>(client, TRANSFER, {
          uuid: randomUUID(),
          token: 'cash',
          amount: 1000,
          from: 'cash',
          to: iban,
          descr: `deposit ${i}`,
        });
        expect(r.data?.money_transfer.success).toBe(true);
        answered.push(performance.now() - started);
        await waitFor(() => stream.results.length > seen, {
          intervalMs: 2,
          what: `deposit ${i} on the stream`,
        });
        streamed.push(performance.now() - started);
      }
      stream.dispose();
      const pct = (xs: number[], p: number) =>
        [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1];
      process.stdout.write(
        `[graphql-endpoint on ${kafkaClient}] deposit answered after p50 ${pct(answered, 50)?.toFixed(0)} ms / p95 ${pct(answered, 95)?.toFixed(0)} ms, ` +
          `on the stream after p50 ${pct(streamed, 50)?.toFixed(0)} ms / p95 ${pct(streamed, 95)?.toFixed(0)} ms\n`,
      );
    });

    it('shuts down cleanly on SIGTERM, ending open subscriptions', async () => {
      const stream = collect<Stream>(client, STREAM, {});
      await waitFor(async () => (await subscriptionsOpen()) === 1, { what: 'the subscription to be live' });
      const exit = await endpoint.stop('SIGTERM', 20_000);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(endpoint.output()).toContain('graphql endpoint stopped');
      stream.dispose();
    });
  },
);
