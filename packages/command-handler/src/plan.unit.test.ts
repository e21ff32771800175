import type { ConfirmAccountCreation, ConfirmMoneyTransfer } from '@open-bank/topology';
import { ACCOUNT_LIMIT, CASH, uuidToBytes } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import { type Account, FailureReason } from './decide.ts';
import {
  type CommandMessage,
  commandIds,
  planTransfers,
  proposeAccounts,
  type StoredAccountCreation,
  type StoredTransfer,
  settleAccounts,
  touchedIbans,
} from './plan.ts';

const A = 'NL80OPEN0123456789';
const B = 'NL32OPEN0987654321';
const TOKEN_A = '11111111111111111111';
const ID1 = '00000000-0000-4000-8000-000000000001';
const ID2 = '00000000-0000-4000-8000-000000000002';
const ID3 = '00000000-0000-4000-8000-000000000003';

function accounts(): Map<string, Account> {
  return new Map([
    [A, { token: TOKEN_A, balance: 5_000n, limit: ACCOUNT_LIMIT }],
    [B, { token: '2'.repeat(20), balance: 0n, limit: ACCOUNT_LIMIT }],
  ]);
}

let nextOffset = 100;
function cmt(id: string, t: Partial<ConfirmMoneyTransfer> = {}, at: Partial<CommandMessage<unknown>> = {}) {
  return {
    partition: 3,
    offset: String(nextOffset++),
    ...at,
    value: {
      id: uuidToBytes(id),
      token: TOKEN_A,
      amount: 1_000n,
      from: A,
      to: B,
      description: 'transfer x',
      ...t,
    },
  } satisfies CommandMessage<ConfirmMoneyTransfer>;
}

describe('touchedIbans and commandIds', () => {
  it('collects the bank ibans of from and to, sorted and distinct, and nothing else', () => {
    const ms = [
      cmt(ID1, { from: B, to: A }),
      cmt(ID2, { from: CASH, to: A }),
      cmt(ID3, { from: A, to: 'Albert Heijn BV' }),
      cmt(ID3, { from: 'NL91ABNA0417164300', to: 'x\u0000y' }),
    ];
    expect(touchedIbans(ms)).toEqual([B, A].sort());
    expect(commandIds(ms)).toEqual([ID1, ID2, ID3]);
  });
});

describe('planTransfers', () => {
  it('decides new commands in order and replies with answer and events', () => {
    const m1 = cmt(ID1, { amount: 5_000n });
    const m2 = cmt(ID2, { amount: 50_001n });
    const plan = planTransfers([m1, m2], new Map(), accounts());
    expect(plan.rows).toEqual([
      {
        id: ID1,
        reason: null,
        events: [
          { iban: A, new_balance: 0n, changed_by: -5_000n, from_to: B, description: 'transfer x' },
          { iban: B, new_balance: 5_000n, changed_by: 5_000n, from_to: A, description: 'transfer x' },
        ],
        partition: 3,
        offset: m1.offset,
      },
      { id: ID2, reason: FailureReason.insufficientFunds, events: [], partition: 3, offset: m2.offset },
    ]);
    expect(Object.fromEntries(plan.deltas)).toEqual({ [A]: -5_000n, [B]: 5_000n });
    expect(plan.replies).toEqual([
      { id: m1.value.id, reason: null, events: plan.rows[0]?.events },
      { id: m2.value.id, reason: FailureReason.insufficientFunds, events: [] },
    ]);
  });

  it('answers a second occurrence in the batch like the first, without events and without applying it', () => {
    const m1 = cmt(ID1);
    const again = cmt(ID1, { amount: 999_999n, description: 'other' });
    const plan = planTransfers([m1, again], new Map(), accounts());
    expect(plan.rows).toHaveLength(1);
    expect(Object.fromEntries(plan.deltas)).toEqual({ [A]: -1_000n, [B]: 1_000n });
    expect(plan.replies[1]).toEqual({ id: again.value.id, reason: null, events: [] });
  });

  const stored: StoredTransfer = {
    reason: null,
    events: [{ iban: A, new_balance: 1n, changed_by: -2n, from_to: CASH, description: 'd' }],
    partition: 3,
    offset: '7',
  };

  it('answers a repeat of a known command with the stored answer only and changes nothing', () => {
    const repeat = cmt(ID1, { amount: 3n });
    const plan = planTransfers([repeat], new Map([[ID1, stored]]), accounts());
    expect(plan.rows).toEqual([]);
    expect(plan.deltas.size).toBe(0);
    expect(plan.replies).toEqual([{ id: repeat.value.id, reason: null, events: [] }]);
  });

  it('re-sends answer and events for a re-delivery of the message that decided it', () => {
    const redelivered = cmt(ID1, {}, { partition: 3, offset: '7' });
    const plan = planTransfers([redelivered], new Map([[ID1, stored]]), accounts());
    expect(plan.rows).toEqual([]);
    expect(plan.replies).toEqual([{ id: redelivered.value.id, reason: null, events: stored.events }]);
  });

  it('tells a re-delivery by partition and offset together', () => {
    const otherPartition = cmt(ID1, {}, { partition: 4, offset: '7' });
    const plan = planTransfers([otherPartition], new Map([[ID1, stored]]), accounts());
    expect(plan.replies[0]?.events).toEqual([]);
  });

  it('leaves the events out of a re-delivery when recovery already published them', () => {
    const redelivered = cmt(ID1, {}, { partition: 3, offset: '7' });
    const plan = planTransfers([redelivered], new Map([[ID1, stored]]), accounts(), new Set([ID1]));
    expect(plan.replies).toEqual([{ id: redelivered.value.id, reason: null, events: [] }]);
  });

  it('keeps a stored failure reason', () => {
    const failed: StoredTransfer = {
      reason: FailureReason.invalidToken,
      events: [],
      partition: 0,
      offset: '1',
    };
    const plan = planTransfers([cmt(ID2, { token: TOKEN_A })], new Map([[ID2, failed]]), accounts());
    expect(plan.replies[0]?.reason).toBe(FailureReason.invalidToken);
  });

  it('mixes new, repeated and re-delivered commands, deciding only the new ones', () => {
    const batch = [cmt(ID1, {}, { partition: 3, offset: '7' }), cmt(ID2, { amount: 5_000n }), cmt(ID1)];
    const plan = planTransfers(batch, new Map([[ID1, stored]]), accounts());
    expect(plan.rows.map((r) => r.id)).toEqual([ID2]);
    expect(plan.replies.map((r) => r.events.length)).toEqual([1, 2, 0]);
    expect(Object.fromEntries(plan.deltas)).toEqual({ [A]: -5_000n, [B]: 5_000n });
  });
});

describe('account creation planning', () => {
  const IBAN1 = 'NL39OPEN0000000001';
  function cac(id: string, a_type: 'AUTO' | 'MANUAL' = 'AUTO') {
    return {
      partition: 0,
      offset: String(nextOffset++),
      value: { id: uuidToBytes(id), a_type },
    } satisfies CommandMessage<ConfirmAccountCreation>;
  }
  const generators = (ibans: string[]) => {
    let i = 0;
    return { iban: () => ibans[i++] ?? 'exhausted', token: () => `${i}`.padStart(20, '0') };
  };

  it('proposes an account per new id and settles with what the database accepted', () => {
    const ms = [cac(ID1), cac(ID2, 'MANUAL'), cac(ID1)];
    const proposal = proposeAccounts(ms, new Map(), generators([A, B]));
    expect(proposal.fresh.map((f) => f.id)).toEqual([ID1, ID2]);
    const { rows, replies } = settleAccounts(ms, new Map(), proposal, new Set([B]));
    expect(rows).toEqual([
      { id: ID1, answer: { ok: false, reason: FailureReason.ibanExists } },
      { id: ID2, answer: { ok: true, iban: B, token: '00000000000000000002', a_type: 'MANUAL' } },
    ]);
    expect(replies.map((r) => r.answer)).toEqual([rows[0]?.answer, rows[1]?.answer, rows[0]?.answer]);
  });

  it('answers a known id with the stored answer and generates nothing for it', () => {
    const known: StoredAccountCreation = { ok: true, iban: IBAN1, token: '9'.repeat(20), a_type: 'MANUAL' };
    const ms = [cac(ID3, 'AUTO')];
    const proposal = proposeAccounts(ms, new Map([[ID3, known]]), generators([]));
    expect(proposal.fresh).toEqual([]);
    const { rows, replies } = settleAccounts(ms, new Map([[ID3, known]]), proposal, new Set());
    expect(rows).toEqual([]);
    expect(replies).toEqual([{ id: ms[0]?.value.id, answer: known }]);
  });
});
