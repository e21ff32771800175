import { describe, expect, it } from 'vitest';
import { failures, formatScenario, formatTable, progressLine, type ScenarioResult } from './report.ts';
import type { Figures } from './tally.ts';

const figures: Figures = {
  sent: 1000,
  answered: 1000,
  lost: 0,
  duplicated: 0,
  extraAnswers: 0,
  duplicateEvents: 0,
  chainBreaks: 0,
  eventProblems: [],
  faults: [
    {
      label: '#1 SIGKILL command-handler#0',
      at: 1_000,
      returnAt: 1_300,
      recoverySeconds: 2.5,
      outageSeconds: 2.8,
      backgroundSent: 300,
    },
  ],
  recoverySeconds: 2.5,
  maxGapSeconds: 3.1,
  maxLatencySeconds: 4.2,
  slowestStages: { fetched: 0.1, written: 0.2, relayed: 3.6, answered: 0.3 },
  clients: {
    requests: 20,
    answered: 20,
    lost: 0,
    duplicated: 0,
    neverAnswered: 0,
    missingEvents: 0,
    retried: 2,
    timedOut: 2,
    errors: { timeout: 2 },
  },
};
const passed: ScenarioResult = {
  name: 'handler-kills',
  title: 'kills',
  kafkaClient: 'kafkajs',
  seconds: 60,
  figures,
  reconcile: { ok: true, lines: ['reconciled: no findings'] },
  error: undefined,
};

describe('failures', () => {
  it('passes a scenario with nothing lost, nothing twice, recovered and reconciled', () => {
    expect(failures(passed)).toEqual([]);
  });

  it('fails a scenario whose background load sent nothing after a fault', () => {
    const still = { ...figures, faults: figures.faults.map((x) => ({ ...x, backgroundSent: 0 })) };
    expect(failures({ ...passed, figures: still })).toEqual([
      'the background load sent no command after #1 SIGKILL command-handler#0',
    ]);
  });

  it('fails a scenario that requires real answers on any time-out, at the client or at the endpoint', () => {
    const clean = { ...figures, clients: { ...figures.clients, timedOut: 0, errors: {} } };
    const real: ScenarioResult = { ...passed, figures: clean, realAnswers: true, endpointTimeouts: 0 };
    expect(failures(real)).toEqual([]);
    expect(failures({ ...real, figures })).toEqual([
      "2 client requests timed out (at the client or as the endpoint's time-out answer)",
    ]);
    expect(failures({ ...real, endpointTimeouts: 3 })).toEqual([
      'the endpoint answered 3 commands with its own time-out',
    ]);
    expect(failures({ ...real, endpointTimeouts: undefined })).toEqual([
      "the endpoint's time-out count could not be read",
    ]);
    // Other scenarios tolerate a time-out that a retry answered.
    expect(failures({ ...passed, endpointTimeouts: 3 })).toEqual([]);
  });

  it('names every problem', () => {
    const bad: ScenarioResult = {
      ...passed,
      figures: {
        ...figures,
        lost: 3,
        duplicated: 1,
        chainBreaks: 2,
        faults: [{ ...(figures.faults[0] as Figures['faults'][number]), recoverySeconds: undefined }],
        clients: { ...figures.clients, lost: 2, neverAnswered: 1, duplicated: 1, missingEvents: 1 },
      },
      reconcile: { ok: false, lines: ['FINDING x'] },
    };
    expect(failures(bad)).toEqual([
      '3 commands never answered',
      '1 commands answered differently more than once',
      '2 BalanceChanged chain breaks',
      'no answer after #1 SIGKILL command-handler#0',
      '1 client requests never answered',
      '1 client requests answered or booked twice',
      '1 confirmed client requests without BalanceChanged',
      'reconciliation found problems',
    ]);
  });

  it('fails a scenario that did not finish or was not reconciled', () => {
    expect(failures({ ...passed, figures: undefined, reconcile: undefined, error: 'boom' })).toEqual([
      'did not finish: boom',
    ]);
    expect(failures({ ...passed, reconcile: undefined })).toEqual(['no reconciliation']);
  });
});

describe('formatting', () => {
  it('prints a block per scenario with the counts, each fault and what the clients saw', () => {
    const text = formatScenario(passed).join('\n');
    expect(text).toContain('1000 sent, 1000 answered, 0 lost, 0 duplicated');
    expect(text).toContain(
      '#1 SIGKILL command-handler#0: back after 0.3 s, first answer 2.5 s later (outage 2.8 s)',
    );
    expect(text).toContain('errors seen: 2× timeout');
    expect(text).toContain(
      "slowest answer's trace: fetched by the handler 0.1 s after it was sent, balancedb 0.2 s, relayed 3.6 s, answer written 0.3 s later",
    );
    expect(text).toMatch(/PASS$/);
  });

  it('prints a Markdown table row per scenario', () => {
    const rows = formatTable([passed, { ...passed, name: 'broken', figures: undefined, error: 'boom' }]);
    expect(rows[2]).toBe(
      '| handler-kills | kafkajs | 1000 | 1000 | 0 | 0 | 2.5 | 3.1 | 20 (0/0) | 2× timeout | yes |',
    );
    expect(rows[3]).toContain('| broken | kafkajs | – |');
  });

  it('prints the progress line', () => {
    expect(
      progressLine({
        scenario: 's',
        elapsedSeconds: 12.4,
        step: 'step 1/2 load 5s',
        sent: 10,
        answered: 8,
        clientRequests: 3,
        clientErrors: 1,
        sinceAnswerSeconds: 0.25,
      }),
    ).toBe(
      '[s 12s] step 1/2 load 5s | commands 8/10 answered, last answer 0.3s ago | clients 3 requests, 1 errors',
    );
  });
});
