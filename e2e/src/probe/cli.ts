// `pnpm probe`: the deposit round trip as a plain GraphQL client sees it (no browser), at fixed background
// loads, with the median of every hop of the trace from the services' /metrics. A quick, repeatable figure
// for latency work; the benchmark is the full method.

import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HOP_DETAIL, HOP_PATH } from '@open-bank/contract';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type HopScrape, hopFigure, hopGrowth, hopsOfMetrics } from '../bench/hops.ts';
import { quantiles } from '../bench/stats.ts';

const USAGE = `Usage: pnpm probe [options]
  --graphql-url URL     the endpoint (default http://127.0.0.1:8888)
  --heartbeat-url URL   heartbeat control (default http://127.0.0.1:17888)
  --metrics URL         a service's /metrics (repeatable; default the endpoint's and the command handler's)
  --loads LIST          background loads in messages/s (default 0,100,1000,3000)
  --deposits N          deposits per load (default 100)
  --gap-ms N            pause between deposits (default 20)
  --warmup-ms N         time at each load before measuring (default 5000)
  --json FILE           also write the figures as JSON`;

const { values } = parseArgs({
  options: {
    'graphql-url': { type: 'string', default: 'http://127.0.0.1:8888' },
    'heartbeat-url': { type: 'string', default: 'http://127.0.0.1:17888' },
    metrics: { type: 'string', multiple: true },
    loads: { type: 'string', default: '0,100,1000,3000' },
    deposits: { type: 'string', default: '100' },
    'gap-ms': { type: 'string', default: '20' },
    'warmup-ms': { type: 'string', default: '5000' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const gql = values['graphql-url'];
const heartbeat = values['heartbeat-url'];
const metricsUrls = values.metrics ?? [`${gql}/metrics`, 'http://127.0.0.1:17890/metrics'];
const loads = values.loads.split(',').map(Number);
const deposits = Number(values.deposits);
const gapMs = Number(values['gap-ms']);
const warmupMs = Number(values['warmup-ms']);
if (loads.some((l) => !Number.isFinite(l) || l < 0) || !(deposits > 0)) {
  console.error(USAGE);
  process.exit(2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setLoad(perSecond: number): Promise<void> {
  // 10 ticks a second; the command generator turns each beat into one command.
  const res = await fetch(`${heartbeat}/state`, {
    method: 'PUT',
    body: JSON.stringify({ batchSize: Math.round(perSecond / 10), intervalMs: 100 }),
  });
  if (!res.ok) throw new Error(`heartbeat control answered ${res.status}`);
}

/** Per service, per hop: the cumulative buckets its /metrics shows now. */
async function scrape(): Promise<HopScrape> {
  const all = new Map<string, ReturnType<typeof hopsOfMetrics>>();
  for (const url of metricsUrls) all.set(url, hopsOfMetrics(await (await fetch(url)).text()));
  return all;
}

const client = createClient({
  url: `${gql.replace(/^http/, 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  lazy: false,
});

function once<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    let value: T | undefined;
    client.subscribe<T>(
      { query, variables },
      {
        next: (v) => {
          if (v.errors) reject(new Error(JSON.stringify(v.errors)));
          value = v.data as T;
        },
        error: reject,
        complete: () => (value === undefined ? reject(new Error('no result')) : resolve(value)),
      },
    );
  });
}

const account = await once<{ get_account: { iban: string; token: string } }>(
  'subscription ($u: String!, $p: String!) { get_account(username: $u, password: $p) { iban token reason } }',
  { u: `probe-${randomUUID().slice(0, 8)}`, p: 'probe-password' },
);
const iban = account.get_account.iban;
const waiting = new Map<string, (at: number) => void>();
client.subscribe<{ stream_transactions: { descr: string } }>(
  {
    query: 'subscription ($iban: String) { stream_transactions(iban: $iban) { descr new_balance } }',
    variables: { iban },
  },
  {
    next: (v) => {
      const d = v.data?.stream_transactions.descr;
      if (d) waiting.get(d)?.(performance.now());
    },
    error: (e) => console.error('stream failed', e),
    complete: () => undefined,
  },
);
await sleep(500);

interface LoadFigures {
  load: number;
  answer: { p50: number; p90: number; p99: number };
  stream: { p50: number; p90: number; p99: number };
  hops: Record<string, { p50: number | null; p99: number | null }>;
}
const results: LoadFigures[] = [];

for (const load of loads) {
  await setLoad(load);
  await sleep(warmupMs);
  const before = await scrape();
  const answers: number[] = [];
  const streams: number[] = [];
  for (let i = 0; i < deposits; i++) {
    const descr = `probe ${load} ${i} ${randomUUID().slice(0, 6)}`;
    const started = performance.now();
    const streamed = new Promise<number>((resolve) => waiting.set(descr, resolve));
    await once(
      'subscription ($uuid: String!, $token: String!, $amount: Int!, $from: String!, $to: String!, $descr: String!) { money_transfer(uuid: $uuid, token: $token, amount: $amount, from: $from, to: $to, descr: $descr) { success reason } }',
      {
        uuid: randomUUID(),
        token: 'cash',
        amount: 100,
        from: 'cash',
        to: iban,
        descr,
      },
    );
    answers.push(performance.now() - started);
    streams.push((await streamed) - started);
    waiting.delete(descr);
    process.stdout.write(`\rload ${load}/s: ${i + 1}/${deposits}`);
    await sleep(gapMs);
  }
  const growth = hopGrowth(before, await scrape());
  const hops: LoadFigures['hops'] = {};
  for (const hop of [...HOP_PATH, ...HOP_DETAIL]) {
    const f = hopFigure(growth.get(hop));
    hops[hop] = { p50: f?.p50Ms ?? null, p99: f?.p99Ms ?? null };
  }
  const fig = (xs: number[]) => {
    const q = quantiles(xs);
    return {
      p50: Math.round(q?.p50 ?? Number.NaN),
      p90: Math.round(q?.p90 ?? Number.NaN),
      p99: Math.round(q?.p99 ?? Number.NaN),
    };
  };
  results.push({ load, answer: fig(answers), stream: fig(streams), hops });
  const r = results.at(-1) as LoadFigures;
  process.stdout.write(
    `\rload ${load}/s: answer p50 ${r.answer.p50} p99 ${r.answer.p99} ms, stream p50 ${r.stream.p50} p99 ${r.stream.p99} ms\n` +
      `  hops p50 (ms): ${HOP_PATH.map((h) => `${h} ${hops[h]?.p50 ?? '-'}`).join(', ')}\n` +
      `  detail p50 (ms): ${HOP_DETAIL.map((h) => `${h} ${hops[h]?.p50 ?? '-'}`).join(', ')}\n`,
  );
}
await setLoad(0);
await client.dispose();
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
