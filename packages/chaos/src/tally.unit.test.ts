import { describe, expect, it } from 'vitest';
import { type BalanceEvent, type ClientRequest, maxGap, Tally } from './tally.ts';

const window = { from: 1_000, to: 10_000 };
const event = (iban: string, newBalance: bigint, changedBy: bigint, description = 'd'): BalanceEvent => ({
  iban,
  newBalance,
  changedBy,
  fromTo: 'cash',
  description,
});
const request = (over: Partial<ClientRequest>): ClientRequest => ({
  uuid: 'u',
  startedAt: 2_000,
  answeredAt: 2_500,
  answers: ['ok'],
  success: true,
  attempts: 1,
  errors: [],
  ...over,
});

describe('Tally', () => {
  it('counts the commands of the window, their answers, the lost and the differently answered', () => {
    const t = new Tally();
    t.command('before', 500);
    t.command('a', 2_000);
    t.answer('a', 2_100, 'x');
    t.command('b', 3_000);
    t.answer('b', 3_500, 'x');
    t.answer('b', 3_600, 'y');
    t.command('c', 4_000);
    t.command('d', 5_000);
    t.answer('d', 5_100, 'x');
    t.answer('d', 5_200, 'x');
    t.command('after', 11_000);
    const f = t.summarise(window, [], 'answers', 20_000);
    expect(f).toMatchObject({ sent: 4, answered: 3, lost: 1, duplicated: 1, extraAnswers: 1 });
    expect(t.progress(window)).toEqual({ sent: 4, answered: 3 });
  });

  it('takes an answer seen before its command as the answer to it', () => {
    const t = new Tally();
    t.answer('a', 2_100, 'x');
    t.command('a', 2_000);
    expect(t.summarise(window, [], 'answers', 20_000)).toMatchObject({ sent: 1, answered: 1, lost: 0 });
  });

  it('does not count a command sent twice and answered twice alike as extra', () => {
    const t = new Tally();
    t.command('a', 2_000);
    t.command('a', 2_500);
    t.answer('a', 2_100, 'x');
    t.answer('a', 2_600, 'x');
    expect(t.summarise(window, [], 'answers', 20_000)).toMatchObject({ duplicated: 0, extraAnswers: 0 });
  });

  it('measures recovery from the part being back to the first answer after it, and the outage from the fault', () => {
    const t = new Tally();
    for (const at of [1_500, 2_000, 6_500, 7_000]) {
      t.command(`c${at}`, at - 100);
      t.answer(`c${at}`, at, 'x');
    }
    const f = t.summarise(window, [{ label: 'kill', at: 2_500, returnAt: 3_000 }], 'answers', 20_000);
    expect(f.faults[0]).toMatchObject({ recoverySeconds: 3.5, outageSeconds: 4 });
    expect(f.recoverySeconds).toBe(3.5);
    expect(f.maxGapSeconds).toBe(4.5);
  });

  it('does not take an answer to a command from before the fault as the recovery', () => {
    const t = new Tally();
    // Decided before the kill, published by the new relay at once.
    t.command('old', 2_000);
    t.answer('old', 3_100, 'x');
    t.command('new', 2_600);
    t.answer('new', 5_000, 'x');
    const f = t.summarise(window, [{ label: 'kill', at: 2_500, returnAt: 3_000 }], 'answers', 20_000);
    expect(f.faults[0]?.recoverySeconds).toBe(2);
  });

  it('reports no recovery when one fault was never followed by an answer', () => {
    const t = new Tally();
    t.command('a', 1_900);
    t.answer('a', 2_000, 'x');
    const f = t.summarise(
      window,
      [
        { label: 'one', at: 1_500, returnAt: 1_600 },
        { label: 'two', at: 5_000, returnAt: 5_500 },
      ],
      'answers',
      20_000,
    );
    expect(f.faults.map((x) => x.recoverySeconds)).toEqual([0.4, undefined]);
    expect(f.recoverySeconds).toBeUndefined();
  });

  it("counts the background load's commands after each fault until the next, leaving the clients' out", () => {
    const t = new Tally();
    for (const at of [1_200, 3_100, 3_200, 4_000, 6_000]) t.command(`g${at}`, at);
    t.command('client', 3_300);
    t.clientRequest(request({ uuid: 'client', startedAt: 3_300, answeredAt: 3_400 }));
    const f = t.summarise(
      window,
      [
        { label: 'one', at: 2_500, returnAt: 3_000 },
        { label: 'two', at: 5_000, returnAt: 7_000 },
      ],
      'answers',
      20_000,
    );
    expect(f.faults.map((x) => x.backgroundSent)).toEqual([3, 0]);
  });

  it('measures recovery from the clients’ answers when asked to', () => {
    const t = new Tally();
    t.clientAnswer(4_000);
    const f = t.summarise(window, [{ label: 'kill', at: 2_000, returnAt: 3_000 }], 'clients', 20_000);
    expect(f.recoverySeconds).toBe(1);
  });

  it("splits the slowest answer's time between the checkpoints of its trace", () => {
    const t = new Tally();
    const s = 1_000_000; // a second in µs
    t.command('quick', 2_000);
    t.answer('quick', 2_100, 'x', [
      1_999 * 1_000,
      2_000 * 1_000,
      2_010 * 1_000,
      2_020 * 1_000,
      2_050 * 1_000,
    ]);
    t.command('slow', 3_000);
    // sent at 3 s, fetched 1 s later, decided 0.5 s after that, relayed 4 s later, answer written at 9 s
    t.answer('slow', 9_000, 'x', [2.9 * s, 3 * s, 4 * s, 4.5 * s, 8.5 * s]);
    const f = t.summarise(window, [], 'answers', window.to);
    expect(f.maxLatencySeconds).toBe(6);
    expect(f.slowestStages).toEqual({ fetched: 1, written: 0.5, relayed: 4, answered: 0.5 });
    const untraced = new Tally();
    untraced.command('a', 2_000);
    untraced.answer('a', 2_100, 'x');
    expect(untraced.summarise(window, [], 'answers', window.to).slowestStages).toBeUndefined();
  });

  it('counts the commands of a stretch still without an answer', () => {
    const t = new Tally();
    t.command('early', 500);
    t.command('answered', 2_000);
    t.answer('answered', 2_200, 'x');
    t.command('waiting', 3_000);
    t.command('late', 9_000);
    expect(t.unanswered(1_000, 5_000)).toBe(1);
    expect(t.unanswered(0, 10_000)).toBe(3);
    t.answer('waiting', 9_500, 'x');
    expect(t.unanswered(1_000, 5_000)).toBe(0);
  });

  it('tells a repeated BalanceChanged from a break of the chain', () => {
    const t = new Tally();
    t.balanceChanged(event('NL1', 100n, 100n), 2_000);
    t.balanceChanged(event('NL1', 150n, 50n), 2_100);
    t.balanceChanged(event('NL1', 150n, 50n), 2_200);
    t.balanceChanged(event('NL1', 999n, 10n), 2_300);
    t.balanceChanged(event('NL2', 5n, 5n), 2_400);
    const f = t.summarise(window, [], 'answers', 20_000);
    expect(f).toMatchObject({ duplicateEvents: 1, chainBreaks: 1 });
    expect(f.eventProblems).toHaveLength(2);
    expect(t.events).toBe(5);
  });

  it('counts client requests: lost, retried, errors by kind, answered or booked twice, confirmed without event', () => {
    const t = new Tally();
    t.balanceChanged(event('NL1', 10n, 10n, 'chaos once'), 2_600);
    t.balanceChanged(event('NL1', 20n, 10n, 'chaos twice'), 2_700);
    t.balanceChanged(event('NL1', 30n, 10n, 'chaos twice'), 2_800);
    t.clientRequest(request({ uuid: 'once', attempts: 2, errors: ['timeout'] }));
    t.clientRequest(request({ uuid: 'twice' }));
    t.clientRequest(
      request({
        uuid: 'lost',
        answeredAt: undefined,
        answers: [],
        success: false,
        attempts: 3,
        errors: ['timeout', 'socket closed (1006)', 'timeout'],
      }),
    );
    t.clientRequest(request({ uuid: 'differ', answers: ['ok', 'failed: insufficient funds'] }));
    t.clientRequest(request({ uuid: 'noevent' }));
    t.clientRequest(request({ uuid: 'failed', success: false, answers: ['failed: invalid token'] }));
    t.clientRequest(request({ uuid: 'late', startedAt: 12_000 }));
    // Given up by the client, answered on Kafka later.
    t.command('slow', 2_000);
    t.answer('slow', 95_000, 'x');
    t.clientRequest(
      request({ uuid: 'slow', answeredAt: undefined, answers: [], success: false, attempts: 9 }),
    );
    expect(t.summarise(window, [], 'answers', 20_000).clients).toEqual({
      requests: 7,
      answered: 5,
      lost: 2,
      neverAnswered: 1,
      duplicated: 2,
      missingEvents: 2,
      retried: 3,
      timedOut: 2,
      errors: { timeout: 3, 'socket closed (1006)': 1 },
    });
  });
});

describe('maxGap', () => {
  it('includes the edges of the window', () => {
    expect(maxGap([], { from: 0, to: 10 })).toBe(10);
    expect(maxGap([2, 3, 9], { from: 0, to: 10 })).toBe(6);
    expect(maxGap([1, 9], { from: 0, to: 20 })).toBe(11);
  });
});
