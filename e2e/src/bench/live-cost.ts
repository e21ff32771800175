// What the Live view costs the bank: CPU of every part of the local stack, read from /proc, at a given
// heartbeat load, with nobody watching and with one live_metrics subscriber (off, on, off again, so a
// drift of the load itself shows). Run: pnpm tsx e2e/src/bench/live-cost.ts --profile NAME --port-offset N
// [--load 1000] [--seconds 30]. Prints a table; the README quotes one run.
import { parseArgs } from 'node:util';
import { ProcSampler } from './resources.ts';
import { localTarget } from './target.ts';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: 'dev' },
    'port-offset': { type: 'string' },
    load: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
  },
});
const load = Number(values.load);
const seconds = Number(values.seconds);
if (!Number.isInteger(load) || load < 0 || load > 5000) throw new Error('--load must be 0..5000 messages/s');
if (!Number.isInteger(seconds) || seconds < 5) throw new Error('--seconds must be a whole number from 5');
const portOffset = values['port-offset'] === undefined ? undefined : Number(values['port-offset']);

const log = (m: string) => process.stderr.write(`${m}\n`);
const target = await localTarget(values.profile ?? 'dev', portOffset, process.env, log, false);
const pids = target.pids ?? {};
const graphqlUrl = `${target.frontendUrl.replace('localhost', '127.0.0.1')}/graphql`;
const sampler = new ProcSampler(() => pids);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setLoad(perSecond: number): Promise<void> {
  const res = await fetch(`${target.heartbeatUrl}/state`, {
    method: 'PUT',
    body: JSON.stringify({ batchSize: Math.round(perSecond / 10), intervalMs: 100 }),
  });
  if (!res.ok) throw new Error(`heartbeat answered ${res.status}`);
}

/** CPU % per part over `seconds`, optionally while one live_metrics subscription (SSE) is open. */
async function phase(watching: boolean): Promise<{ cpu: Record<string, number>; figures: number }> {
  const abort = new AbortController();
  let figures = 0;
  let reading: Promise<void> = Promise.resolve();
  if (watching) {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { live_metrics { at commands_per_second } }' }),
      signal: abort.signal,
    });
    const reader = res.body?.getReader();
    reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) return;
          figures += (decoder.decode(chunk.value).match(/^data: /gm) ?? []).length;
        }
      } catch {
        // Aborted at the end of the phase.
      }
    })();
    // The first figures need two scrapes; measure from when the loop runs.
    while (figures === 0) await wait(100);
  }
  sampler.prime();
  await wait(seconds * 1000);
  const sample = await sampler.sample();
  abort.abort();
  await reading;
  return { cpu: Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, v.cpu])), figures };
}

log(`load ${load} messages/s, ${seconds} s per phase`);
await setLoad(load);
try {
  await wait(10_000);
  const off1 = await phase(false);
  const on = await phase(true);
  await wait(5_000);
  const off2 = await phase(false);
  const names = Object.keys(on.cpu).sort();
  const rows = names.map((n) => {
    const off = ((off1.cpu[n] ?? 0) + (off2.cpu[n] ?? 0)) / 2;
    return {
      n,
      off1: off1.cpu[n] ?? 0,
      on: on.cpu[n] ?? 0,
      off2: off2.cpu[n] ?? 0,
      delta: (on.cpu[n] ?? 0) - off,
    };
  });
  const f = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `CPU, % of one core, at ${load} messages/s; ${on.figures} live figures received while watching`,
  );
  console.log(
    `${'part'.padEnd(18)}${'off'.padStart(7)}${'on'.padStart(7)}${'off'.padStart(7)}${'on-off'.padStart(8)}`,
  );
  for (const r of rows) console.log(`${r.n.padEnd(18)}${f(r.off1)}${f(r.on)}${f(r.off2)} ${f(r.delta)}`);
  const sum = (k: 'off1' | 'on' | 'off2' | 'delta', only?: string[]) =>
    rows.filter((r) => !only || only.includes(r.n)).reduce((t, r) => t + r[k], 0);
  const services = [
    'heartbeat',
    'command-generator',
    'command-handler',
    'graphql-endpoint',
    'schema-registry',
    'frontend',
  ];
  console.log(
    `${'services'.padEnd(18)}${f(sum('off1', services))}${f(sum('on', services))}${f(sum('off2', services))} ${f(sum('delta', services))}`,
  );
  console.log(`${'all'.padEnd(18)}${f(sum('off1'))}${f(sum('on'))}${f(sum('off2'))} ${f(sum('delta'))}`);
} finally {
  await setLoad(0);
}
