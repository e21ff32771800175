import { type BalanceChanged, CASH, COMPANY_IBAN, COMPANY_START_BALANCE } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { type FindingKind, findingKinds, type Position, Reconciler, type TransactionRow } from './check.ts';
import { type FinalAccount, type HistoryItem, syntheticHistory } from './synthetic.ts';

const BC = 'balance_changed';

interface History {
  readonly items: HistoryItem[];
  readonly accounts: Map<string, FinalAccount>;
}

function history(transfers = 300, accounts = 12): History {
  const h = syntheticHistory({ accounts, transfers, seed: 7 });
  const items = [...h.items];
  return { items, accounts: h.accounts };
}

function partitionOf(iban: string): number {
  let h = 0;
  for (const c of iban) h = (h * 31 + c.charCodeAt(0)) % 9;
  return h;
}

interface Tamper {
  items?: (items: HistoryItem[]) => HistoryItem[];
  balances?: (rows: { iban: string; amount: bigint; limit: bigint }[]) => void;
  rows?: (rows: TransactionRow[]) => TransactionRow[];
  deadLetters?: { at: Position; id?: Buffer }[];
  /** The partition an event goes to. */
  partition?: (e: BalanceChanged, n: number) => number;
}

/** Feeds a history to the checker as the I/O shell would, in its order, and answers the report. */
function reconcile(h: History, tamper: Tamper = {}) {
  const items = tamper.items ? tamper.items(h.items) : h.items;
  const r = new Reconciler({ balanceChangedTopic: BC, expectedCommands: 4 });
  for (const d of tamper.deadLetters ?? []) r.deadLetter(d.at, d.id, 'broken');
  const balances = [...h.accounts.values()].map((a) => ({ iban: a.iban, amount: a.balance, limit: a.limit }));
  tamper.balances?.(balances);
  for (const b of balances) r.balanceRow(b.iban, b.amount, b.limit);
  const offsets = new Map<string, number>();
  const at = (topic: string, partition = 0): Position => {
    const key = `${topic}/${partition}`;
    const offset = offsets.get(key) ?? 0;
    offsets.set(key, offset + 1);
    return { topic, partition, offset: String(offset) };
  };
  for (const item of items) {
    if (item.kind === 'transferCommand') r.transferCommand(at('cmt'), item.value);
    if (item.kind === 'accountCommand') r.accountCommand(at('cac'), item.value);
  }
  for (const item of items) {
    if (item.kind === 'transferConfirmed') r.transferConfirmed(at('mtc'), item.value);
    if (item.kind === 'transferFailed') r.transferFailed(at('mtf'), item.value);
    if (item.kind === 'accountConfirmed') r.accountConfirmed(at('acc'), item.value);
  }
  let rows: TransactionRow[] = [];
  let n = 0;
  for (const item of items) {
    if (item.kind !== 'balanceChanged') continue;
    const e = item.value;
    const p = at(BC, tamper.partition ? tamper.partition(e, n++) : partitionOf(e.iban));
    r.balanceChanged(p, e);
    rows.push({ ...e, topic: BC, partition: p.partition, offset: p.offset });
  }
  if (tamper.rows) rows = tamper.rows(rows);
  for (const row of rows) r.transactionRow(row);
  return r.finish();
}

function kindsFound(report: ReturnType<typeof reconcile>): FindingKind[] {
  return findingKinds.filter((k) => report.findings[k].count > 0);
}

function lastEventIndex(items: HistoryItem[]): number {
  return items.findLastIndex((i) => i.kind === 'balanceChanged');
}

describe('the reconciliation core', () => {
  const h = history();

  it('passes a valid history, with its counts and money', () => {
    const report = reconcile(h);
    expect(kindsFound(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts.transfers).toBe(300);
    expect(report.counts.accountCreations).toBe(12);
    expect(report.counts.confirmedTransfers + report.counts.failedTransfers).toBe(300);
    expect(report.counts.failedTransfers).toBeGreaterThan(0);
    expect(report.counts.events).toBe(h.items.filter((i) => i.kind === 'balanceChanged').length);
    expect(report.money.broughtIn).toBeGreaterThan(0n);
    expect(report.money.sentOut).toBeGreaterThan(0n);
    expect(report.money.sumOfChanges).toBe(report.money.broughtIn - report.money.sentOut);
  });

  it('finds a balance changed by one cent in balancedb', () => {
    const iban = [...h.accounts.keys()][3] as string;
    const report = reconcile(h, {
      balances: (rows) => {
        const row = rows.find((b) => b.iban === iban);
        if (row) row.amount += 1n;
      },
    });
    expect(kindsFound(report)).toEqual(['balanceDiffers']);
    expect(report.findings.balanceDiffers.examples[0]).toContain(iban);
  });

  it('finds a balance below its limit in balancedb', () => {
    const report = reconcile(h, {
      balances: (rows) => {
        rows.push({ iban: 'NL05OPEN0000000019', amount: -50_001n, limit: -50_000n });
      },
    });
    expect(kindsFound(report)).toContain('belowLimit');
  });

  it('finds a forged BalanceChanged appended to a chain, though it follows the chain', () => {
    const items = h.items;
    const last = items[lastEventIndex(items)] as { value: BalanceChanged };
    const forged: BalanceChanged = {
      ...last.value,
      new_balance: last.value.new_balance + 100n,
      changed_by: 100n,
      description: 'forged',
    };
    const report = reconcile(h, {
      items: (list) => [...list, { kind: 'balanceChanged', value: forged }],
      // transactiondb took the forged event in too, as the endpoint would.
    });
    expect(kindsFound(report)).toEqual(['balanceDiffers', 'moneyNotConserved']);
    expect(report.findings.balanceDiffers.examples[0]).toContain(forged.iban);
  });

  it('finds a broken chain and a duplicated event', () => {
    const i = lastEventIndex(h.items);
    const broken = reconcile(h, {
      items: (list) =>
        list.map((item, j) =>
          j === i && item.kind === 'balanceChanged'
            ? { ...item, value: { ...item.value, new_balance: item.value.new_balance + 1n } }
            : item,
        ),
    });
    expect(kindsFound(broken)).toContain('chainBreak');
    const dup = reconcile(h, {
      items: (list) => [...list.slice(0, i + 1), list[i] as HistoryItem, ...list.slice(i + 1)],
    });
    // The replay carries on from what an event says, so the copy breaks no balance, only the sum.
    expect(kindsFound(dup)).toEqual(['duplicateEvent', 'moneyNotConserved']);
  });

  it("finds an IBAN's events on two partitions", () => {
    const report = reconcile(h, {
      partition: (e, n) => (n === 40 ? (partitionOf(e.iban) + 1) % 9 : partitionOf(e.iban)),
    });
    expect(kindsFound(report)).toEqual(['partitionsSplit']);
  });

  it('finds a duplicated answer that differs, and one that is the same but one too many', () => {
    const failed = h.items.find((i) => i.kind === 'transferFailed');
    if (failed?.kind !== 'transferFailed') throw new Error('no failed transfer');
    const differs = reconcile(h, {
      items: (list) => [
        ...list,
        { kind: 'transferFailed', value: { ...failed.value, reason: 'something else' } },
      ],
    });
    expect(kindsFound(differs)).toEqual(['answerDiffers', 'tooManyAnswers']);
    const same = reconcile(h, { items: (list) => [...list, failed] });
    expect(kindsFound(same)).toEqual(['tooManyAnswers']);
    const both = reconcile(h, {
      items: (list) => [...list, { kind: 'transferConfirmed', value: { id: failed.value.id } }],
    });
    expect(kindsFound(both)).toEqual(['confirmedAndFailed', 'tooManyAnswers']);
  });

  it('accepts a repeated command answered again with the same answer', () => {
    const command = h.items.find((i) => i.kind === 'transferCommand');
    const answer = h.items.find(
      (i) =>
        (i.kind === 'transferConfirmed' || i.kind === 'transferFailed') &&
        i.value.id.equals(command?.value.id as Buffer),
    );
    const report = reconcile(h, {
      items: (list) => [...list, command as HistoryItem, answer as HistoryItem],
    });
    expect(kindsFound(report)).toEqual([]);
  });

  it('finds a repeated command that was not answered again', () => {
    const command = h.items.find((i) => i.kind === 'transferCommand');
    const report = reconcile(h, { items: (list) => [...list, command as HistoryItem] });
    expect(kindsFound(report)).toEqual(['repeatUnanswered']);
  });

  it('finds a command without an answer and an answer without a command', () => {
    const unanswered = reconcile(h, {
      items: (list) => [
        ...list,
        {
          kind: 'transferCommand',
          value: {
            id: Buffer.alloc(16, 1),
            token: CASH,
            amount: 5n,
            from: CASH,
            to: COMPANY_IBAN,
            description: 'x',
          },
        },
      ],
    });
    expect(kindsFound(unanswered)).toEqual(['unanswered']);
    const orphan = reconcile(h, {
      items: (list) => [...list, { kind: 'transferConfirmed', value: { id: Buffer.alloc(16, 2) } }],
    });
    expect(kindsFound(orphan)).toEqual(['answerWithoutCommand']);
  });

  it('reports a dead-lettered command apart, not as unanswered', () => {
    const id = Buffer.alloc(16, 3);
    const report = reconcile(h, {
      items: (list) => [
        ...list,
        {
          kind: 'transferCommand',
          value: { id, token: CASH, amount: 5n, from: CASH, to: COMPANY_IBAN, description: 'x' },
        },
      ],
      deadLetters: [{ at: { topic: 'cmt', partition: 0, offset: '0' }, id }],
    });
    expect(kindsFound(report)).toEqual([]);
    expect(report.deadLettered.count).toBe(1);
  });

  it('finds an undecodable message unless it was dead-lettered', () => {
    const r = new Reconciler({ balanceChangedTopic: BC });
    r.deadLetter({ topic: 'cmt', partition: 1, offset: '5' }, undefined, 'bad magic byte');
    r.undecodable({ topic: 'cmt', partition: 1, offset: '5' }, 'bad magic byte');
    r.undecodable({ topic: 'cmt', partition: 1, offset: '6' }, 'bad magic byte');
    r.balanceRow(COMPANY_IBAN, COMPANY_START_BALANCE, -50_000n);
    const report = r.finish();
    expect(report.findings.undecodable.count).toBe(1);
    expect(report.findings.undecodable.examples[0]).toContain('cmt 1@6');
  });

  it('finds an event missing from transactiondb, a row twice, a row without an event and a row that differs', () => {
    expect(kindsFound(reconcile(h, { rows: (rows) => rows.slice(1) }))).toEqual(['transactionMissing']);
    expect(kindsFound(reconcile(h, { rows: (rows) => [...rows, rows[0] as TransactionRow] }))).toEqual([
      'transactionExtra',
    ]);
    expect(
      kindsFound(
        reconcile(h, { rows: (rows) => [...rows, { ...(rows[0] as TransactionRow), offset: '100000' }] }),
      ),
    ).toEqual(['transactionExtra']);
    expect(
      kindsFound(
        reconcile(h, {
          rows: (rows) => rows.map((row, i) => (i === 3 ? { ...row, changed_by: row.changed_by + 1n } : row)),
        }),
      ),
    ).toEqual(['transactionDiffers']);
  });

  it('finds events of an IBAN balancedb lacks, and an opened account it lacks', () => {
    const iban = [...h.accounts.keys()][2] as string;
    const report = reconcile(h, {
      balances: (rows) => {
        rows.splice(
          rows.findIndex((b) => b.iban === iban),
          1,
        );
      },
    });
    // Without its row the account is money from and to outside the bank, so conservation breaks too.
    expect(kindsFound(report)).toEqual(
      expect.arrayContaining(['ibanNotInBalancedb', 'accountNotInBalancedb']),
    );
  });

  it('keeps amounts past 2^53 exact', () => {
    const r = new Reconciler({ balanceChangedTopic: BC });
    const iban = 'NL05OPEN0000000019';
    const big = 2n ** 60n + 1n;
    r.balanceRow(iban, big, -50_000n);
    const id = Buffer.alloc(16, 9);
    r.transferCommand(
      { topic: 'cmt', partition: 0, offset: '0' },
      { id, token: CASH, amount: big, from: CASH, to: iban, description: '' },
    );
    r.transferConfirmed({ topic: 'mtc', partition: 0, offset: '0' }, { id });
    const e = { iban, new_balance: big, changed_by: big, from_to: CASH, description: '' };
    r.balanceChanged({ topic: BC, partition: 0, offset: '0' }, e);
    r.transactionRow({ ...e, topic: BC, partition: 0, offset: '0' });
    const report = r.finish();
    expect(kindsFound(report)).toEqual([]);
    expect(report.money.broughtIn).toBe(big);
  });
});
