// How results read: one block per scenario, a table of all, and the progress line. Pure formatting.
import type { Figures } from './tally.ts';

export interface ReconcileOutcome {
  readonly ok: boolean;
  /** The reconciliation's own report lines. */
  readonly lines: readonly string[];
}

export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly kafkaClient: string;
  readonly seconds: number;
  /** Undefined when the scenario could not run to its end (then `error` says why). */
  readonly figures: Figures | undefined;
  readonly reconcile: ReconcileOutcome | undefined;
  readonly error: string | undefined;
  /** The scenario requires every GraphQL request to get the command handler's own answer. */
  readonly realAnswers?: boolean;
  /** Commands the endpoint answered with its own time-out during it (its /metrics), if read. */
  readonly endpointTimeouts?: number | undefined;
}

/** Why a scenario failed, empty when it passed: lost or duplicated money, chain breaks, no recovery. */
export function failures(r: ScenarioResult): string[] {
  const out: string[] = [];
  if (r.error) out.push(`did not finish: ${r.error}`);
  const f = r.figures;
  if (f) {
    if (f.lost > 0) out.push(`${f.lost} commands never answered`);
    if (f.duplicated > 0) out.push(`${f.duplicated} commands answered differently more than once`);
    if (f.duplicateEvents > 0) out.push(`${f.duplicateEvents} BalanceChanged events repeated`);
    if (f.chainBreaks > 0) out.push(`${f.chainBreaks} BalanceChanged chain breaks`);
    const stuck = f.faults.filter((x) => x.recoverySeconds === undefined);
    if (stuck.length > 0) out.push(`no answer after ${stuck.map((x) => x.label).join(', ')}`);
    // Its commands keep the bank busy while a fault lasts; a generator that stood still would go unnoticed,
    // the clients' few requests being answered.
    const idle = f.faults.filter((x) => x.backgroundSent === 0);
    if (idle.length > 0)
      out.push(`the background load sent no command after ${idle.map((x) => x.label).join(', ')}`);
    // A client that gave up on a request whose answer came later saw a slow bank, not a lost request.
    if (f.clients.neverAnswered > 0) out.push(`${f.clients.neverAnswered} client requests never answered`);
    if (f.clients.duplicated > 0)
      out.push(`${f.clients.duplicated} client requests answered or booked twice`);
    if (f.clients.missingEvents > 0)
      out.push(`${f.clients.missingEvents} confirmed client requests without BalanceChanged`);
  }
  if (r.realAnswers) {
    if (f && f.clients.timedOut > 0)
      out.push(
        `${f.clients.timedOut} client requests timed out (at the client or as the endpoint's time-out answer)`,
      );
    if (r.endpointTimeouts === undefined) out.push("the endpoint's time-out count could not be read");
    else if (r.endpointTimeouts > 0)
      out.push(`the endpoint answered ${r.endpointTimeouts} commands with its own time-out`);
  }
  if (r.reconcile && !r.reconcile.ok) out.push('reconciliation found problems');
  if (!r.reconcile && !r.error) out.push('no reconciliation');
  return out;
}

const s1 = (x: number | undefined) => (x === undefined ? 'none' : x.toFixed(1));

function errorsText(errors: Readonly<Record<string, number>>): string {
  const entries = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${n}× ${k}`).join(', ');
}

export function formatScenario(r: ScenarioResult): string[] {
  const lines = [`== ${r.name} (${r.kafkaClient}): ${r.title} — ${r.seconds.toFixed(0)} s`];
  const f = r.figures;
  if (f) {
    lines.push(
      `  commands during it: ${f.sent} sent, ${f.answered} answered, ${f.lost} lost, ${f.duplicated} duplicated` +
        (f.extraAnswers > 0 ? `, ${f.extraAnswers} answered again alike` : ''),
      `  BalanceChanged: ${f.duplicateEvents} repeated, ${f.chainBreaks} chain breaks`,
      ...f.eventProblems.map((p) => `    ${p}`),
      `  recovery: ${s1(f.recoverySeconds)} s worst (the first answer, after the part was back, to a command sent since the fault); longest gap without answers ${f.maxGapSeconds.toFixed(1)} s; slowest answer ${f.maxLatencySeconds.toFixed(1)} s`,
    );
    const st = f.slowestStages;
    if (st)
      lines.push(
        `    slowest answer's trace: fetched by the handler ${st.fetched.toFixed(1)} s after it was sent, balancedb ${st.written.toFixed(1)} s, relayed ${st.relayed.toFixed(1)} s, answer written ${st.answered.toFixed(1)} s later`,
      );
    for (const x of f.faults) {
      lines.push(
        `    ${x.label}: back after ${((x.returnAt - x.at) / 1000).toFixed(1)} s, first answer ${s1(x.recoverySeconds)} s later (outage ${s1(x.outageSeconds)} s); background load then sent ${x.backgroundSent} commands`,
      );
    }
    const c = f.clients;
    lines.push(
      `  GraphQL clients: ${c.requests} requests, ${c.answered} answered, ${c.lost} given up (${c.neverAnswered} never answered on Kafka either), ${c.duplicated} duplicated, ${c.retried} retried, ${c.missingEvents} without BalanceChanged; errors seen: ${errorsText(c.errors)}`,
    );
    if (r.realAnswers)
      lines.push(
        `  real answers: ${c.timedOut} client requests timed out; the endpoint answered ${r.endpointTimeouts ?? 'an unknown number of'} commands with its own time-out`,
      );
  }
  if (r.reconcile) {
    lines.push(`  reconciliation: ${r.reconcile.ok ? 'no findings' : 'FINDINGS'}`);
    if (!r.reconcile.ok) for (const l of r.reconcile.lines) lines.push(`    ${l}`);
  }
  const bad = failures(r);
  lines.push(bad.length === 0 ? '  PASS' : `  FAIL: ${bad.join('; ')}`);
  return lines;
}

/** A Markdown table of every scenario, as the README shows it. */
export function formatTable(results: readonly ScenarioResult[]): string[] {
  const lines = [
    '| scenario | client | commands | answered | lost | duplicated | recovery s | longest gap s | GraphQL requests (lost/dup) | client errors | reconciled |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
  ];
  for (const r of results) {
    const f = r.figures;
    if (!f) {
      lines.push(`| ${r.name} | ${r.kafkaClient} | – | – | – | – | – | – | – | – | ${r.error ?? 'no'} |`);
      continue;
    }
    const c = f.clients;
    lines.push(
      `| ${r.name} | ${r.kafkaClient} | ${f.sent} | ${f.answered} | ${f.lost} | ${f.duplicated + f.duplicateEvents} | ${s1(f.recoverySeconds)} | ${f.maxGapSeconds.toFixed(1)} | ${c.requests} (${c.lost}/${c.duplicated}) | ${errorsText(c.errors)} | ${r.reconcile ? (r.reconcile.ok ? 'yes' : 'NO') : '–'} |`,
    );
  }
  return lines;
}

export interface Progress {
  readonly scenario: string;
  readonly elapsedSeconds: number;
  readonly step: string;
  readonly sent: number;
  readonly answered: number;
  readonly clientRequests: number;
  readonly clientErrors: number;
  /** Seconds since the last answer on Kafka. */
  readonly sinceAnswerSeconds: number | undefined;
}

export function progressLine(p: Progress): string {
  const since = p.sinceAnswerSeconds === undefined ? '-' : p.sinceAnswerSeconds.toFixed(1);
  return (
    `[${p.scenario} ${p.elapsedSeconds.toFixed(0)}s] ${p.step} | commands ${p.answered}/${p.sent} answered, ` +
    `last answer ${since}s ago | clients ${p.clientRequests} requests, ${p.clientErrors} errors`
  );
}
