import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AccountResult, MoneyTransferResult } from './bank.ts';
import { DEFAULT_LIMITS } from './connection-limits.ts';
import { HeartbeatControlError } from './errors.ts';
import { TransactionHub } from './hub.ts';
import { type LiveFigures, liveFigures } from './live/figures.ts';
import { createBankSchema, type EndpointApi } from './schema.ts';
import { createBankYoga, type EdgeSecurity, QueryLimits } from './server.ts';
import type { TransactionRow } from './transaction.ts';
import type { Credentials, MoneyTransferRequest } from './validation.ts';

const COMPANY = 'NL66OPEN0000000000';
const rows: TransactionRow[] = [
  {
    id: 2,
    iban: COMPANY,
    newBalance: 10n ** 17n - 1000n,
    changedBy: -1000n,
    fromTo: 'cash',
    description: 'w',
  },
  { id: 1, iban: COMPANY, newBalance: 10n ** 17n, changedBy: 10n ** 17n, fromTo: 'x', description: 'start' },
];

const commands = (n: number) => [
  { name: 'open_bank_commands_total', labels: { kind: 'transfer', answer: 'confirmed' }, value: n },
];
const FIGURES: LiveFigures = liveFigures(
  [
    { at: 0, targets: { 'command-handler': commands(100) } },
    { at: 2000, targets: { 'command-handler': commands(300) } },
  ],
  { batchSize: 10, intervalMs: 100 },
  false,
);

const EDGE: EdgeSecurity = {
  allowedOrigins: [],
  trustedProxies: [],
  introspection: true,
  limits: DEFAULT_LIMITS,
};

function setup(security: Partial<EdgeSecurity> = {}, control = true) {
  const calls: string[] = [];
  const hub = new TransactionHub();
  const api: EndpointApi = {
    transactionById: async (id) => {
      calls.push(`byId:${id}`);
      return rows.find((r) => r.id === id) ?? null;
    },
    transactionsByIban: async (iban, max) => {
      calls.push(`byIban:${iban}:${max}`);
      return rows.filter((r) => r.iban === iban).slice(0, max);
    },
    lastTransactions: async () => [rows[0] as TransactionRow],
    streamTransactions: (filter) => hub.subscribe(filter),
    getAccount: async (c: Credentials): Promise<AccountResult> => {
      calls.push(`account:${c.username}`);
      if (c.username === 'broken') throw new Error('database password is hunter2');
      return { iban: COMPANY, token: '0'.repeat(20), reason: null };
    },
    moneyTransfer: async (r: MoneyTransferRequest): Promise<MoneyTransferResult> => {
      calls.push(`transfer:${r.uuid}:${r.amount}:${r.from}:${r.to}`);
      return { uuid: r.uuid, success: true, reason: null };
    },
    liveMetrics: () =>
      (async function* () {
        yield FIGURES;
        yield FIGURES;
      })(),
    setHeartbeatRate: async (perSecond) => {
      calls.push(`rate:${perSecond}`);
      if (!control) throw new HeartbeatControlError('HEARTBEAT_CONTROL_OFF', 'turned off here');
      return { batchSize: Math.round(perSecond / 10), intervalMs: 100 };
    },
  };
  const refusals: string[] = [];
  const yoga = createBankYoga(createBankSchema(api), pino({ level: 'silent' }), {
    security: { ...EDGE, ...security },
    onRefused: (reason, _client, why) => refusals.push(`${reason}: ${why}`),
  });
  return { yoga, calls, hub, refusals };
}

interface Result {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function post(
  yoga: ReturnType<typeof setup>['yoga'],
  query: string,
  variables?: object,
): Promise<Result> {
  const res = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result;
}

/** A subscription over server-sent events, read to its end (one-shot subscriptions complete by themselves). */
async function subscribeSse(
  yoga: ReturnType<typeof setup>['yoga'],
  query: string,
  variables?: object,
): Promise<Result[]> {
  const res = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('data:') && l.length > 6)
    .map((l) => JSON.parse(l.slice(5)) as Result);
}

const TRANSFER = `subscription ($uuid: String!, $amount: Int!, $from: String!, $to: String!, $token: String!, $descr: String!) {
  money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { uuid success reason }
}`;
const goodTransfer = {
  uuid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  amount: 2000,
  from: 'cash',
  to: COMPANY,
  token: 'cash',
  descr: 'deposit',
};

describe('the GraphQL schema over HTTP', () => {
  it('answers queries with the original field names and euro strings, newest first', async () => {
    const { yoga, calls } = setup();
    const r = await post(
      yoga,
      `{ transactions_by_iban(iban: "${COMPANY}", max_items: 5) { id iban new_balance changed_by from_to descr direction } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.transactions_by_iban).toEqual([
      {
        id: 2,
        iban: COMPANY,
        new_balance: '€999.999.999.999.990,00',
        changed_by: '€10,00',
        from_to: 'cash',
        descr: 'w',
        direction: 'DEBIT',
      },
      {
        id: 1,
        iban: COMPANY,
        new_balance: '€1.000.000.000.000.000,00',
        changed_by: '€1.000.000.000.000.000,00',
        from_to: 'x',
        descr: 'start',
        direction: 'CREDIT',
      },
    ]);
    expect(calls).toEqual([`byIban:${COMPANY}:5`]);
    const one = await post(yoga, '{ transaction_by_id(id: 3) { id } all_last_transactions { id } }');
    expect(one.data).toEqual({ transaction_by_id: null, all_last_transactions: [{ id: 2 }] });
  });

  it('refuses bad query arguments with BAD_USER_INPUT before touching the store', async () => {
    const { yoga, calls } = setup();
    const r = await post(yoga, '{ transactions_by_iban(iban: "NL00XXXX", max_items: 5) { id } }');
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'iban' });
    expect(r.errors?.[0]?.message).toMatch(/valid IBAN/);
    const m = await post(yoga, `{ transactions_by_iban(iban: "${COMPANY}", max_items: 100000) { id } }`);
    expect(m.errors?.[0]?.extensions?.argument).toBe('max_items');
    expect(calls).toEqual([]);
  });

  it('runs money_transfer as a one-shot subscription and refuses each kind of bad input', async () => {
    const { yoga, calls } = setup();
    const ok = await subscribeSse(yoga, TRANSFER, goodTransfer);
    expect(ok).toEqual([
      { data: { money_transfer: { uuid: goodTransfer.uuid, success: true, reason: null } } },
    ]);
    expect(calls).toEqual([`transfer:${goodTransfer.uuid}:2000:cash:${COMPANY}`]);
    calls.length = 0;

    const bad: [string, object][] = [
      ['uuid', { uuid: 'nope' }],
      ['amount', { amount: 0 }],
      ['amount', { amount: -5 }],
      ['amount', { amount: 100_000_001 }],
      ['to', { to: 'NL00OPEN0000000000' }],
      ['from', { from: 'my pocket' }],
      ['descr', { descr: 'x'.repeat(201) }],
      ['token', { token: 'x'.repeat(500) }],
    ];
    for (const [argument, change] of bad) {
      const [r] = await subscribeSse(yoga, TRANSFER, { ...goodTransfer, ...change });
      expect(r?.errors?.[0]?.extensions, argument).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
    // Beyond GraphQL's Int: refused by the type system itself.
    const [big] = await subscribeSse(yoga, TRANSFER, { ...goodTransfer, amount: 2 ** 31 });
    expect(big?.errors?.[0]?.message).toMatch(/Int/);
    expect(calls).toEqual([]);
  });

  it('masks unexpected failures so internals do not leak', async () => {
    const { yoga } = setup();
    const [r] = await subscribeSse(
      yoga,
      'subscription { get_account(username: "broken", password: "pw-12345") { iban reason } }',
    );
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(r?.errors?.[0]?.message).toBe('Unexpected error.');
  });

  it('streams transactions matching the filters', async () => {
    const { yoga, hub } = setup();
    const res = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({
        query: `subscription { stream_transactions(iban: "${COMPANY}", direction: DEBIT) { id changed_by direction } }`,
      }),
    });
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    // The subscription is registered once the response has started.
    while (hub.size === 0) await new Promise((r) => setTimeout(r, 5));
    hub.publish(rows);
    let text = '';
    while (!text.includes('"id":2')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain(
      '{"data":{"stream_transactions":{"id":2,"changed_by":"€10,00","direction":"DEBIT"}}}',
    );
    expect(text).not.toContain('"id":1');
    await reader.cancel();
    while (hub.size > 0) await new Promise((r) => setTimeout(r, 5));
  });

  it('enforces the depth, alias and token limits', async () => {
    const { yoga, calls } = setup();
    const deep = `{ transaction_by_id(id: 1) { ${'... on Transaction { '.repeat(QueryLimits.maxDepth)} id ${'} '.repeat(QueryLimits.maxDepth)} } }`;
    const d = await post(yoga, deep);
    expect(d.errors?.[0]?.message).toMatch(/depth limit/);
    const aliases = Array.from(
      { length: QueryLimits.maxAliases + 1 },
      (_, i) => `a${i}: all_last_transactions { id }`,
    );
    const a = await post(yoga, `{ ${aliases.join(' ')} }`);
    expect(a.errors?.[0]?.message).toMatch(/Aliases limit/i);
    const t = await post(yoga, `{ ${'all_last_transactions { id } '.repeat(QueryLimits.maxTokens / 4)} }`);
    expect(t.errors?.[0]?.message).toMatch(/Token limit/i);
    const introspection = await post(
      yoga,
      '{ __schema { types { fields { type { fields { type { name } } } } } } }',
    );
    expect(introspection.errors?.[0]?.message).toMatch(/depth limit/);
    expect(calls).toEqual([]);
    // Within the limits all is well.
    const fine = await post(yoga, `{ ${aliases.slice(0, QueryLimits.maxAliases).join(' ')} }`);
    expect(fine.errors).toBeUndefined();
  });

  it('refuses get_account and money_transfer in a URL, but streams transactions over GET', async () => {
    const { yoga, calls, hub } = setup();
    const url = (query: string) => `http://localhost/graphql?query=${encodeURIComponent(query)}`;
    const secret = await yoga.fetch(
      url('subscription { get_account(username: "piet", password: "secret-pw") { reason } }'),
      { headers: { accept: 'text/event-stream' } },
    );
    expect(await secret.text()).toContain('must be sent with POST or over WebSocket');
    expect(calls).toEqual([]);
    const stream = await yoga.fetch(url(`subscription { stream_transactions(iban: "${COMPANY}") { id } }`), {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body?.getReader();
    // The subscription starts once the body is read.
    const pending = reader?.read().catch(() => undefined);
    while (hub.size === 0) await new Promise((r) => setTimeout(r, 5));
    await reader?.cancel();
    await pending;
    while (hub.size > 0) await new Promise((r) => setTimeout(r, 5));
  });

  it('streams live_metrics figures as computed from the scrapes', async () => {
    const { yoga } = setup();
    const results = await subscribeSse(
      yoga,
      'subscription { live_metrics { commands_per_second heartbeat_target_per_second commands { kind outcome per_second } } }',
    );
    expect(results).toHaveLength(2);
    expect(results[0]?.data?.live_metrics).toEqual({
      commands_per_second: 100,
      heartbeat_target_per_second: 100,
      commands: [{ kind: 'transfer', outcome: 'confirmed', per_second: 100 }],
    });
  });

  it('sets the heartbeat rate only within bounds and where control is on', async () => {
    const on = setup({}, true);
    const ok = await post(
      on.yoga,
      'mutation { set_heartbeat_rate(per_second: 500) { batch_size interval_ms per_second } }',
    );
    expect(ok.data?.set_heartbeat_rate).toEqual({ batch_size: 50, interval_ms: 100, per_second: 500 });
    const bad = await post(on.yoga, 'mutation { set_heartbeat_rate(per_second: -1) { batch_size } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'per_second' });
    const huge = await post(on.yoga, 'mutation { set_heartbeat_rate(per_second: 1000000) { batch_size } }');
    expect(huge.errors?.[0]?.message).toMatch(/0 to 5000/);
    expect(on.calls).toEqual(['rate:500']);
    const off = setup({}, false);
    const refused = await post(off.yoga, 'mutation { set_heartbeat_rate(per_second: 100) { batch_size } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('HEARTBEAT_CONTROL_OFF');
  });

  it('answers introspection unless it is turned off; __typename always works', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await post(setup().yoga, query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const { yoga } = setup({ introspection: false });
    const off = await post(yoga, query);
    expect(off.errors?.[0]?.message).toMatch(/introspection/i);
    expect(off.data).toBeUndefined();
    const type = await post(yoga, '{ __type(name: "Transaction") { name } }');
    expect(type.errors?.[0]?.message).toMatch(/introspection/i);
    expect(await post(yoga, '{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });

  it('sends CORS headers only to a listed origin, and never allows credentials', async () => {
    const { yoga } = setup({ allowedOrigins: ['https://app.example'] });
    const preflight = (origin: string) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const listed = await preflight('https://app.example');
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('caps the subscriptions of one client over server-sent events and frees a slot when one ends', async () => {
    const { yoga, hub, refusals } = setup({ limits: { ...DEFAULT_LIMITS, subscriptionsPerSocket: 2 } });
    const open = () =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { stream_transactions { id } }' }),
      });
    const readers = [];
    for (let i = 0; i < 2; i++) {
      const reader = (await open()).body?.getReader();
      if (!reader) throw new Error('no body');
      readers.push({ reader, first: reader.read().catch(() => undefined) });
    }
    while (hub.size < 2) await new Promise((r) => setTimeout(r, 5));
    const third = await (await open()).text();
    expect(third).toContain('too many subscriptions on server-sent events from your address (at most 2)');
    expect(third).toContain('TOO_MANY_OPERATIONS');
    expect(refusals).toEqual([
      'subscriptions: too many subscriptions on server-sent events from your address (at most 2)',
    ]);
    expect(hub.size).toBe(2);
    const one = readers[0];
    await one?.reader.cancel();
    await one?.first;
    while (hub.size > 1) await new Promise((r) => setTimeout(r, 5));
    // One-shot operations are counted apart and still run.
    expect((await subscribeSse(yoga, TRANSFER, goodTransfer))[0]?.data).toMatchObject({
      money_transfer: { success: true },
    });
    const again = (await open()).body?.getReader();
    const pending = again?.read().catch(() => undefined);
    while (hub.size < 2) await new Promise((r) => setTimeout(r, 5));
    for (const r of [again, readers[1]?.reader]) await r?.cancel();
    await pending;
    while (hub.size > 0) await new Promise((r) => setTimeout(r, 5));
  });
});
