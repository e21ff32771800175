// The public edge's protections against the real stack, walking the OWASP GraphQL cheat sheet: origins
// (CSRF, cross-site WebSockets), login throttling, connection and operation limits, time-outs, introspection,
// query limits, batching, payload sizes and error masking; and a normal user's path through all of it.
// The test plays the command handler (it confirms the commands the endpoint sends).
import { randomBytes, randomUUID } from 'node:crypto';
import { parseConfig } from '@open-bank/config';
import { waitFor } from '@open-bank/runtime/testing';
import { stackEnv } from '@open-bank/stack/testing';
import {
  bytesToUuid,
  Codec,
  createKafka,
  createRegistry,
  keyFor,
  newBankIban,
  newToken,
  producerDefaults,
  type Topology,
} from '@open-bank/topology';
import { type Client, createClient } from 'graphql-ws';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphqlEndpointConfigSpec } from './config.ts';
import { CloseCodes } from './connection-limits.ts';
import { type GraphqlEndpoint, startGraphqlEndpoint } from './service.ts';
import { firstResult, type GqlResult, scratchTopology } from './testing/index.ts';

const run = randomUUID().slice(0, 8);
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const LIMITS = {
  WS_MAX_PER_CLIENT: '3',
  WS_MAX_SUBSCRIPTIONS: '2',
  WS_MAX_PENDING: '2',
  WS_IDLE_TIMEOUT_MS: '5000',
  WS_INIT_TIMEOUT_MS: '1000',
};
const ALLOWED = 'https://app.example';

let kafka: Kafka;
let topology: Topology;
let removeTopics: () => Promise<void>;
let codec: Codec;
let producer: Producer;
let responder: Consumer;
let endpoint: GraphqlEndpoint;
const ourIds = new Set<string>();
/** Transfers the responder leaves unanswered, so they stay pending. */
const ignored = new Set<string>();

beforeAll(async () => {
  const env = stackEnv();
  kafka = createKafka({ brokers: env.KAFKA_BROKERS.split(','), clientId: `sec-int-${run}` });
  const scratch = await scratchTopology(kafka, env.SCHEMA_REGISTRY_URL, `sec_${run}`);
  topology = scratch.topology;
  removeTopics = scratch.remove;
  codec = new Codec(createRegistry(env.SCHEMA_REGISTRY_URL), topology);
  await codec.prepare(['accountCreationConfirmed', 'moneyTransferConfirmed']);
  producer = kafka.producer(producerDefaults);
  await producer.connect();
  responder = kafka.consumer({ groupId: `sec-int-responder-${run}`, maxWaitTimeInMs: 100 });
  await responder.connect();
  await responder.subscribe({
    topics: [topology.confirmAccountCreation.name, topology.confirmMoneyTransfer.name],
    fromBeginning: true,
  });
  await responder.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === topology.confirmAccountCreation.name) {
        const v = await codec.decode('confirmAccountCreation', message.value);
        if (!ourIds.has(bytesToUuid(v.id))) return;
        const t = topology.accountCreationConfirmed;
        const value = { id: v.id, iban: newBankIban(), token: newToken(), a_type: v.a_type };
        await producer.send({
          topic: t.name,
          messages: [
            { key: keyFor(t, value, new Date()), value: codec.encode('accountCreationConfirmed', value) },
          ],
        });
      } else {
        const v = await codec.decode('confirmMoneyTransfer', message.value);
        if (ignored.has(bytesToUuid(v.id))) return;
        const t = topology.moneyTransferConfirmed;
        const value = { id: v.id };
        await producer.send({
          topic: t.name,
          messages: [
            { key: keyFor(t, value, new Date()), value: codec.encode('moneyTransferConfirmed', value) },
          ],
        });
      }
    },
  });
  const config = {
    ...parseConfig(graphqlEndpointConfigSpec, {
      ...env,
      ...scratch.env,
      KAFKA_CLIENT_ID: `sec-int-${run}`,
      ANSWER_TIMEOUT_MS: '2000',
      ALLOWED_ORIGINS: ALLOWED,
      TRUSTED_PROXIES: '127.0.0.1,::1',
      GRAPHQL_INTROSPECTION: 'false',
      ...LIMITS,
    }),
    port: 0,
    httpHost: '127.0.0.1',
  };
  endpoint = await startGraphqlEndpoint(config, {
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

const wsUrl = () => `${endpoint.url.replace(/^http/, 'ws')}/graphql`;
/** A distinct client address per test, through the trusted proxy header (the tests all come from 127.0.0.1). */
const clientIp = (() => {
  let n = 0;
  return () => `198.51.100.${++n}`;
})();

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${endpoint.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
}

/** A graphql-ws client as a given client address (and origin, when given). */
function client(ip: string, origin?: string): Client {
  class As extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { 'x-forwarded-for': ip }, ...(origin ? { origin } : {}) });
    }
  }
  return createClient({ url: wsUrl(), webSocketImpl: As, retryAttempts: 0, lazy: false });
}

/** A raw WebSocket; resolves once open, or with the HTTP status that refused the handshake. */
function rawSocket(
  headers: Record<string, string>,
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(), 'graphql-transport-ws', { headers });
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

async function openSocket(headers: Record<string, string>) {
  const s = await rawSocket(headers);
  if ('status' in s) throw new Error(`handshake refused with ${s.status}`);
  return s;
}

const ACCOUNT = `subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { iban token reason } }`;
type Account = { get_account: { iban: string | null; token: string | null; reason: string | null } };
const TRANSFER = `subscription ($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) {
  money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason } }`;
type Transfer = { money_transfer: { uuid: string; success: boolean; reason: string | null } };
const deposit = (to: string, uuid = randomUUID()) => ({
  uuid,
  token: 'cash',
  amount: 1000,
  from: 'cash',
  to,
  descr: 'deposit',
});

describe('origins (CSRF, cross-site WebSocket hijacking)', () => {
  it('refuses a foreign origin on HTTP, preflight included, and gives a listed one CORS without credentials', async () => {
    const preflight = await fetch(`${endpoint.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const evil = await post({ query: '{ __typename }' }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({
      errors: [{ message: 'origin https://evil.example is not allowed' }],
    });

    // The same origin (the Host the browser addressed) and requests without Origin (no browser) pass.
    const host = new URL(endpoint.url).host;
    const same = await post({ query: '{ __typename }' }, { origin: `http://${host}` });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();
    expect((await post({ query: '{ __typename }' })).status).toBe(200);

    const listed = await fetch(`${endpoint.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    const metrics = await (await fetch(`${endpoint.url}/metrics`)).text();
    expect(metrics).toMatch(/open_bank_graphql_refused_total\{reason="origin"[^}]*\} [1-9]/);
  });

  it('refuses the WebSocket handshake from a foreign origin with 403, accepts the own and listed ones', async () => {
    expect(await rawSocket({ origin: 'https://evil.example' })).toEqual({ status: 403 });
    expect(await rawSocket({ origin: 'null' })).toEqual({ status: 403 });
    for (const origin of [`http://${new URL(endpoint.url).host}`, ALLOWED]) {
      const c = client(clientIp(), origin);
      const r = await firstResult(c, '{ __typename }');
      expect(r).toEqual({ data: { __typename: 'Query' } });
      await c.dispose();
    }
  });
});

describe('login throttling', () => {
  it('slows guessing at one account without hashing, tells how long to wait, and keeps the owner in', async () => {
    const owner = client(clientIp());
    const username = `victim-${run}`;
    const account = (await firstResult<Account>(owner, ACCOUNT, { u: username, p: 'the-real-one' })).data
      ?.get_account;
    expect(account?.reason).toBeNull();

    const attackerIp = clientIp();
    const attacker = client(attackerIp);
    const reasons: (string | null | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      reasons.push(
        (await firstResult<Account>(attacker, ACCOUNT, { u: username, p: `guess-${i}` })).data?.get_account
          .reason,
      );
    }
    expect(reasons.slice(0, 3)).toEqual(['incorrect password', 'incorrect password', 'incorrect password']);
    for (const r of reasons.slice(3)) expect(r).toMatch(/^too many attempts, try again in [12] s$/);

    // Many guesses at once (two at a time per socket, three sockets) do not slip past either.
    const more = [client(attackerIp), client(attackerIp)];
    const burst = await Promise.all(
      [attacker, ...more].flatMap((c, j) =>
        [0, 1].map((i) => firstResult<Account>(c, ACCOUNT, { u: username, p: `burst-${j}-${i}` })),
      ),
    );
    for (const r of burst)
      expect(r.data?.get_account.reason).toMatch(/^too many attempts, try again in \d+ s$/);
    await Promise.all(more.map((c) => c.dispose()));

    // The owner, from the address they used, is not locked out by the attacker's failures.
    expect(
      (await firstResult<Account>(owner, ACCOUNT, { u: username, p: 'the-real-one' })).data?.get_account,
    ).toEqual(account);
    const metrics = await (await fetch(`${endpoint.url}/metrics`)).text();
    expect(metrics).toMatch(/open_bank_graphql_refused_total\{reason="login_throttled"[^}]*\} [1-9]/);
    await Promise.all([owner.dispose(), attacker.dispose()]);
  });

  it('runs at most PASSWORD_HASH_CONCURRENCY (2) hashes at once, however many logins arrive together', async () => {
    const clients = Array.from({ length: 8 }, () => client(clientIp()));
    const results = await Promise.all(
      clients.map((c, i) =>
        firstResult<Account>(c, ACCOUNT, { u: `crowd-${run}-${i}`, p: 'pw-of-the-crowd' }),
      ),
    );
    expect(results.every((r) => r.data?.get_account.reason === null)).toBe(true);
    expect(endpoint.guards.hasher.peak).toBe(2);
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('counts failures per client address across usernames, by the trusted proxy header', async () => {
    const ip = clientIp();
    const c = client(ip);
    // Accounts of their own (new usernames are not throttled), then one wrong guess at each.
    const names = Array.from({ length: 22 }, (_, i) => `spray-${run}-${i}`);
    for (const u of names) await firstResult(c, ACCOUNT, { u, p: 'right-pw' });
    const reasons: (string | null | undefined)[] = [];
    for (const u of names)
      reasons.push((await firstResult<Account>(c, ACCOUNT, { u, p: 'wrong-pw' })).data?.get_account.reason);
    expect(reasons.slice(0, 20).every((r) => r === 'incorrect password')).toBe(true);
    expect(reasons.slice(20).every((r) => r?.startsWith('too many attempts'))).toBe(true);
    // Another address is another client.
    const other = client(clientIp());
    expect(
      (await firstResult<Account>(other, ACCOUNT, { u: names[21], p: 'wrong-pw' })).data?.get_account.reason,
    ).toBe('incorrect password');
    await Promise.all([c.dispose(), other.dispose()]);
  }, 120_000);
});

describe('connection limits and time-outs', () => {
  it('closes the WebSockets of one address beyond the cap with 1013 and a reason, and counts per address', async () => {
    const ip = clientIp();
    const open = await Promise.all([1, 2, 3].map(() => openSocket({ 'x-forwarded-for': ip })));
    const fourth = await openSocket({ 'x-forwarded-for': ip });
    expect(await fourth.closed).toEqual({
      code: CloseCodes.tooManySockets,
      reason: `too many WebSockets from your address (at most ${LIMITS.WS_MAX_PER_CLIENT})`,
    });
    // Another address is not affected; a closed socket frees its place.
    const other = await openSocket({ 'x-forwarded-for': clientIp() });
    open[0]?.ws.close();
    await open[0]?.closed;
    const again = await openSocket({ 'x-forwarded-for': ip });
    const stillOpen = await Promise.race([
      again.closed,
      new Promise((r) => setTimeout(() => r('open'), 300)),
    ]);
    expect(stillOpen).toBe('open');
    for (const s of [...open.slice(1), other, again]) s?.ws.close();
  });

  it('refuses subscriptions beyond the cap per socket with a reason, and keeps the socket usable', async () => {
    const c = client(clientIp());
    const errors: unknown[] = [];
    const results: unknown[] = [];
    const subscribe = (filter: number) =>
      c.subscribe(
        { query: `subscription { stream_transactions(min_amount: ${filter}) { id } }` },
        { next: (v) => results.push(v), error: (e) => errors.push(e), complete: () => {} },
      );
    const base = endpoint.subscriptionCount();
    const a = subscribe(1);
    const b = subscribe(2);
    await waitFor(() => endpoint.subscriptionCount() === base + 2, { what: 'two subscriptions' });
    const third = await firstResult(c, 'subscription { stream_transactions(min_amount: 3) { id } }');
    expect(third.errors?.[0]).toMatchObject({
      message: `too many subscriptions on this WebSocket (at most ${LIMITS.WS_MAX_SUBSCRIPTIONS})`,
      extensions: { code: 'TOO_MANY_OPERATIONS' },
    });
    expect(endpoint.subscriptionCount()).toBe(base + 2);
    // One-shot operations are counted apart; and a finished subscription frees its place.
    expect(await firstResult(c, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
    a();
    await waitFor(() => endpoint.subscriptionCount() === base + 1, { what: 'one subscription ended' });
    const d = subscribe(4);
    await waitFor(() => endpoint.subscriptionCount() === base + 2, {
      what: 'a new subscription in its place',
    });
    b();
    d();
    expect(errors).toEqual([]);
    await c.dispose();
  });

  it('refuses one-shot operations beyond the pending cap per socket', async () => {
    const c = client(clientIp());
    const iban = newBankIban();
    const slow = [randomUUID(), randomUUID()];
    for (const id of slow) ignored.add(id);
    const waiting = slow.map((id) => firstResult<Transfer>(c, TRANSFER, deposit(iban, id)));
    await waitFor(async () => {
      const m = await (await fetch(`${endpoint.url}/metrics`)).text();
      return /open_bank_graphql_pending_answers\{command="transfer"[^}]*\} 2/.test(m);
    });
    const refused = await firstResult(c, TRANSFER, deposit(iban));
    expect(refused.errors?.[0]?.message).toBe(
      `too many pending operations on this WebSocket (at most ${LIMITS.WS_MAX_PENDING})`,
    );
    // Once the two have their (time-out) answers, the socket takes new operations again.
    for (const r of await Promise.all(waiting)) expect(r.data?.money_transfer.reason).toMatch(/try again/);
    expect((await firstResult<Transfer>(c, TRANSFER, deposit(iban))).data?.money_transfer.success).toBe(true);
    await c.dispose();
  });

  it('caps subscriptions over server-sent events per client address too', async () => {
    const ip = clientIp();
    const controllers: AbortController[] = [];
    const open = async () => {
      const ac = new AbortController();
      controllers.push(ac);
      return fetch(`${endpoint.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-forwarded-for': ip },
        body: JSON.stringify({ query: 'subscription { stream_transactions(min_amount: 99999999) { id } }' }),
        signal: ac.signal,
      });
    };
    const base = endpoint.subscriptionCount();
    const streams = [await open(), await open()];
    await waitFor(() => endpoint.subscriptionCount() === base + 2, { what: 'two SSE subscriptions' });
    const third = await open();
    const text = await third.text();
    expect(text).toContain(
      `too many subscriptions on server-sent events from your address (at most ${LIMITS.WS_MAX_SUBSCRIPTIONS})`,
    );
    for (const ac of controllers) ac.abort();
    for (const s of streams) await s.body?.cancel().catch(() => undefined);
    await waitFor(() => endpoint.subscriptionCount() === base, { what: 'SSE subscriptions ended' });
  });

  it('closes a socket that never sends connection_init (4408) and one that goes idle (4000)', async () => {
    const silent = await openSocket({ 'x-forwarded-for': clientIp() });
    expect((await silent.closed).code).toBe(4408);
    const idle = await openSocket({ 'x-forwarded-for': clientIp() });
    const acked = new Promise((r) => idle.ws.once('message', r));
    idle.ws.send(JSON.stringify({ type: 'connection_init' }));
    await acked;
    const started = Date.now();
    expect(await idle.closed).toEqual({ code: CloseCodes.idle, reason: 'idle for 5 s' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
  }, 30_000);
});

describe('query shape and size (OWASP: depth, aliases, batching, payloads, introspection, errors)', () => {
  it('refuses introspection in this configuration but answers __typename', async () => {
    const r = (await (await post({ query: '{ __schema { types { name } } }' })).json()) as GqlResult;
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'INTROSPECTION_DISABLED' } });
    const c = client(clientIp());
    const ws = await firstResult(c, '{ __type(name: "Transaction") { name } }');
    expect(ws.errors?.[0]?.message).toMatch(/introspection is turned off/);
    await c.dispose();
  });

  it('keeps the depth, alias and token limits, and refuses batches and oversized payloads', async () => {
    const deep = `{ transaction_by_id(id: 1) { ${'... on Transaction { '.repeat(8)} id ${'} '.repeat(8)} } }`;
    expect(((await (await post({ query: deep })).json()) as GqlResult).errors?.[0]?.message).toMatch(
      /depth limit/,
    );
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: all_last_transactions { id }`).join(' ');
    expect(
      ((await (await post({ query: `{ ${aliases} }` })).json()) as GqlResult).errors?.[0]?.message,
    ).toMatch(/aliases limit/i);
    const tokens = `{ ${'transaction_by_id(id: 1) { id } '.repeat(200)} }`;
    expect(((await (await post({ query: tokens })).json()) as GqlResult).errors?.[0]?.message).toMatch(
      /token limit/i,
    );
    // No HTTP batching: an array of operations is not run.
    const batch = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(batch.ok).toBe(false);
    expect(JSON.stringify(await batch.json())).not.toContain('"__typename":"Query"');
    // 64 KiB per request and per WebSocket message.
    const big = await post({ query: `{ __typename } # ${'x'.repeat(70 * 1024)}` });
    expect(big.status).toBe(413);
    const s = await openSocket({ 'x-forwarded-for': clientIp() });
    s.ws.send(JSON.stringify({ type: 'connection_init', payload: { x: 'x'.repeat(70 * 1024) } }));
    expect((await s.closed).code).toBe(1009);
  });

  it('masks unexpected errors and refuses secrets in URLs', async () => {
    const res = await fetch(
      `${endpoint.url}/graphql?query=${encodeURIComponent('subscription { get_account(username: "a", password: "b") { reason } }')}`,
      { headers: { accept: 'text/event-stream' } },
    );
    expect(await res.text()).toContain('must be sent with POST or over WebSocket');
    const bad = (await (await post('{"query": "{ transaction_by_id(id: 1) { id } ')).json()) as GqlResult;
    expect(JSON.stringify(bad)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('a normal user', () => {
  it('opens an account, deposits and sees it live, with every protection on', async () => {
    const host = new URL(endpoint.url).host;
    const c = client(clientIp(), `http://${host}`);
    const account = (await firstResult<Account>(c, ACCOUNT, { u: `normal-${run}`, p: 'my-password' })).data
      ?.get_account;
    expect(account?.reason).toBeNull();
    const iban = account?.iban as string;
    const stop = c.subscribe(
      {
        query: 'subscription ($iban: String) { stream_transactions(iban: $iban) { iban } }',
        variables: { iban },
      },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    const done = await firstResult<Transfer>(c, TRANSFER, deposit(iban));
    expect(done.data?.money_transfer.success).toBe(true);
    // A wrong password now and then is just that.
    expect(
      (await firstResult<Account>(c, ACCOUNT, { u: `normal-${run}`, p: 'typo' })).data?.get_account.reason,
    ).toBe('incorrect password');
    expect(
      (await firstResult<Account>(c, ACCOUNT, { u: `normal-${run}`, p: 'my-password' })).data?.get_account,
    ).toEqual(account);
    stop();
    await c.dispose();
  });
});
