import {
  ACCOUNT_LIMIT,
  CASH,
  COMPANY_IBAN,
  COMPANY_START_BALANCE,
  COMPANY_TOKEN,
  isBankIban,
} from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import {
  type Account,
  decideAccountCreation,
  decideTransfer,
  decideTransfers,
  FailureReason,
  MAX_BALANCE,
  NEW_ACCOUNT,
  settleAccountCreations,
  type Transfer,
} from './decide.ts';

const A = 'NL80OPEN0123456789';
const B = 'NL32OPEN0987654321';
const OTHER_BANK = 'NL91ABNA0417164300';
const UNKNOWN = 'NL39OPEN0000000001';
const TOKEN_A = '11111111111111111111';
const TOKEN_B = '22222222222222222222';

function accounts(entries: Record<string, Partial<Account> & { token: string }>): Map<string, Account> {
  return new Map(
    Object.entries(entries).map(([iban, a]) => [
      iban,
      { balance: a.balance ?? 0n, limit: a.limit ?? ACCOUNT_LIMIT, token: a.token },
    ]),
  );
}

function bank(): Map<string, Account> {
  return accounts({
    [COMPANY_IBAN]: { token: COMPANY_TOKEN, balance: COMPANY_START_BALANCE },
    [A]: { token: TOKEN_A, balance: 10_000n },
    [B]: { token: TOKEN_B, balance: 0n },
  });
}

function transfer(t: Partial<Transfer>): Transfer {
  return { token: TOKEN_A, amount: 1_000n, from: A, to: B, description: 'transfer now', ...t };
}

describe('decideTransfer', () => {
  it('test ibans used here are valid bank ibans', () => {
    // Guards the fixtures: if they were invalid most tests would only exercise the first check.
    for (const iban of [A, B, UNKNOWN, COMPANY_IBAN]) expect(isBankIban(iban)).toBe(true);
    expect(isBankIban(OTHER_BANK)).toBe(false);
  });

  it('moves money between two known accounts with one event per side', () => {
    const balances = bank();
    const r = decideTransfer(balances, transfer({ amount: 2_500n, description: 'transfer 2019-01-01' }));
    expect(r).toEqual({
      ok: true,
      events: [
        { iban: A, new_balance: 7_500n, changed_by: -2_500n, from_to: B, description: 'transfer 2019-01-01' },
        { iban: B, new_balance: 2_500n, changed_by: 2_500n, from_to: A, description: 'transfer 2019-01-01' },
      ],
    });
    expect(balances.get(A)?.balance).toBe(7_500n);
    expect(balances.get(B)?.balance).toBe(2_500n);
    expect(balances.get(A)?.token).toBe(TOKEN_A);
  });

  describe('failure reasons, each on its own', () => {
    const cases: Array<[string, Partial<Transfer>, FailureReason]> = [
      ['from neither cash nor an iban', { from: 'Albert Heijn BV' }, FailureReason.fromInvalid],
      ['from an iban of another bank', { from: OTHER_BANK }, FailureReason.fromInvalid],
      [
        'from a bank-looking iban with a bad check',
        { from: 'NL00OPEN0123456789' },
        FailureReason.fromInvalid,
      ],
      ['from empty', { from: '' }, FailureReason.fromInvalid],
      ['from CASH in capitals', { from: 'CASH' }, FailureReason.fromInvalid],
      ['from equals to', { to: A }, FailureReason.sameAccount],
      ['cash to cash', { from: CASH, to: CASH, token: CASH }, FailureReason.sameAccount],
      ['wrong token', { token: TOKEN_B }, FailureReason.invalidToken],
      ['balance minus amount below limit', { amount: 60_001n }, FailureReason.insufficientFunds],
      ['both unknown', { from: CASH, to: 'Albert Heijn BV', token: CASH }, FailureReason.bothUnknown],
      ['unknown bank iban to outside', { from: UNKNOWN, to: OTHER_BANK }, FailureReason.bothUnknown],
    ];
    for (const [name, t, reason] of cases) {
      it(name, () => {
        const balances = bank();
        expect(decideTransfer(balances, transfer(t))).toEqual({ ok: false, reason });
        expect(balances).toEqual(bank());
      });
    }
  });

  describe('checks run in the SPEC order', () => {
    it('an invalid from wins over from equal to', () => {
      expect(decideTransfer(bank(), transfer({ from: 'x', to: 'x' }))).toEqual({
        ok: false,
        reason: FailureReason.fromInvalid,
      });
    });
    it('same account wins over a wrong token and missing funds', () => {
      expect(decideTransfer(bank(), transfer({ to: A, token: 'wrong', amount: 10n ** 9n }))).toEqual({
        ok: false,
        reason: FailureReason.sameAccount,
      });
    });
    it('a wrong token wins over missing funds', () => {
      expect(decideTransfer(bank(), transfer({ token: 'wrong', amount: 10n ** 9n }))).toEqual({
        ok: false,
        reason: FailureReason.invalidToken,
      });
    });
    it('a known from never gets "both unknown", even when to is unknown', () => {
      expect(decideTransfer(bank(), transfer({ to: 'Albert Heijn BV', amount: 10n ** 9n }))).toEqual({
        ok: false,
        reason: FailureReason.insufficientFunds,
      });
    });
    it('the token of an unknown from is not checked', () => {
      const r = decideTransfer(bank(), transfer({ from: CASH, token: 'anything', to: A }));
      expect(r.ok).toBe(true);
    });
  });

  describe('the limit', () => {
    it('allows going exactly down to the limit', () => {
      const balances = bank();
      const r = decideTransfer(balances, transfer({ amount: 10_000n - ACCOUNT_LIMIT }));
      expect(r.ok).toBe(true);
      expect(balances.get(A)?.balance).toBe(ACCOUNT_LIMIT);
    });
    it('refuses one cent more', () => {
      expect(decideTransfer(bank(), transfer({ amount: 10_001n - ACCOUNT_LIMIT }))).toEqual({
        ok: false,
        reason: FailureReason.insufficientFunds,
      });
    });
    it("uses each account's own limit", () => {
      const balances = accounts({ [A]: { token: TOKEN_A, balance: 0n, limit: 0n }, [B]: { token: TOKEN_B } });
      expect(decideTransfer(balances, transfer({ amount: 1n }))).toEqual({
        ok: false,
        reason: FailureReason.insufficientFunds,
      });
    });
  });

  it('deposits cash: credit only, counter-party cash', () => {
    const balances = bank();
    const r = decideTransfer(
      balances,
      transfer({ from: CASH, token: CASH, to: B, amount: 2_000n, description: 'deposit x' }),
    );
    expect(r).toEqual({
      ok: true,
      events: [{ iban: B, new_balance: 2_000n, changed_by: 2_000n, from_to: CASH, description: 'deposit x' }],
    });
  });

  it('withdraws to cash and pays outside the bank: debit only', () => {
    for (const to of [CASH, 'Albert Heijn BV', OTHER_BANK]) {
      const balances = bank();
      const r = decideTransfer(balances, transfer({ to, amount: 3_000n, description: 'ah pin y' }));
      expect(r).toEqual({
        ok: true,
        events: [{ iban: A, new_balance: 7_000n, changed_by: -3_000n, from_to: to, description: 'ah pin y' }],
      });
    }
  });

  it('credits a known account from an unknown bank iban', () => {
    const r = decideTransfer(bank(), transfer({ from: UNKNOWN, to: A, token: 'x' }));
    expect(r).toEqual({
      ok: true,
      events: [
        {
          iban: A,
          new_balance: 11_000n,
          changed_by: 1_000n,
          from_to: UNKNOWN,
          description: 'transfer now',
        },
      ],
    });
  });

  it('pays salaries from the company account with exact amounts beyond 2^53', () => {
    const balances = bank();
    const r = decideTransfer(
      balances,
      transfer({ from: COMPANY_IBAN, token: COMPANY_TOKEN, to: B, amount: 249_999n, description: 'salary' }),
    );
    expect(r.ok && r.events[0]?.new_balance).toBe(COMPANY_START_BALANCE - 249_999n);
    expect(balances.get(COMPANY_IBAN)?.balance).toBe(99_999_999_999_750_001n);
  });

  describe('amount guards (not in the original)', () => {
    it('refuses zero and negative amounts where the transfer would otherwise go through', () => {
      for (const amount of [0n, -1n, -(10n ** 12n)]) {
        expect(decideTransfer(bank(), transfer({ amount }))).toEqual({
          ok: false,
          reason: FailureReason.amountNotPositive,
        });
        expect(decideTransfer(bank(), transfer({ from: CASH, token: CASH, amount }))).toEqual({
          ok: false,
          reason: FailureReason.amountNotPositive,
        });
      }
    });
    it('leaves the SPEC reasons first', () => {
      expect(decideTransfer(bank(), transfer({ amount: -1n, token: 'bad' }))).toEqual({
        ok: false,
        reason: FailureReason.invalidToken,
      });
      expect(decideTransfer(bank(), transfer({ amount: -1n, from: CASH, to: 'x' }))).toEqual({
        ok: false,
        reason: FailureReason.bothUnknown,
      });
    });
    it('refuses a credit that would overflow a bigint', () => {
      const balances = accounts({ [A]: { token: TOKEN_A, balance: MAX_BALANCE - 5n } });
      expect(decideTransfer(balances, transfer({ from: CASH, to: A, amount: 6n }))).toEqual({
        ok: false,
        reason: FailureReason.amountTooLarge,
      });
      expect(decideTransfer(balances, transfer({ from: CASH, to: A, amount: 5n })).ok).toBe(true);
      const two = accounts({
        [A]: { token: TOKEN_A, balance: MAX_BALANCE },
        [B]: { token: TOKEN_B, balance: MAX_BALANCE },
      });
      expect(decideTransfer(two, transfer({ amount: 1n }))).toEqual({
        ok: false,
        reason: FailureReason.amountTooLarge,
      });
    });
  });
});

describe('decideTransfers', () => {
  it('decides in order, each transfer seeing the ones before it', () => {
    const before = bank();
    const { outcomes, deltas, balances } = decideTransfers(before, [
      transfer({ amount: 10_000n }),
      transfer({ amount: 50_000n }),
      transfer({ amount: 1n }),
      transfer({ from: B, to: A, token: TOKEN_B, amount: 60_000n }),
      transfer({ from: B, to: A, token: TOKEN_B, amount: 50_001n }),
    ]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
      'ok',
      'ok',
      FailureReason.insufficientFunds,
      'ok',
      FailureReason.insufficientFunds,
    ]);
    expect(balances.get(A)?.balance).toBe(10_000n);
    expect(balances.get(B)?.balance).toBe(0n);
    expect(deltas.size).toBe(0);
    expect(before).toEqual(bank());
  });

  it('returns net deltas per iban and leaves the input map alone', () => {
    const before = bank();
    const { deltas, balances } = decideTransfers(before, [
      transfer({ amount: 1_000n }),
      transfer({ from: CASH, token: CASH, to: A, amount: 2_000n }),
      transfer({ from: COMPANY_IBAN, token: COMPANY_TOKEN, to: B, amount: 220_000n }),
      transfer({ to: 'Albert Heijn BV', amount: 500n }),
    ]);
    expect(Object.fromEntries(deltas)).toEqual({
      [A]: 500n,
      [B]: 221_000n,
      [COMPANY_IBAN]: -220_000n,
    });
    expect(balances.get(A)?.balance).toBe(10_500n);
    expect(before.get(A)?.balance).toBe(10_000n);
  });

  it('chains the events of each iban: every new balance is the previous plus the change', () => {
    const { outcomes, balances } = decideTransfers(bank(), [
      transfer({ amount: 700n }),
      transfer({ from: B, to: A, token: TOKEN_B, amount: 300n }),
      transfer({ from: CASH, token: CASH, to: B, amount: 5_000n }),
      transfer({ to: CASH, amount: 2_000n }),
    ]);
    const last = new Map<string, bigint>([
      [A, 10_000n],
      [B, 0n],
    ]);
    for (const o of outcomes) {
      if (!o.ok) throw new Error('expected every transfer to pass');
      for (const e of o.events) {
        expect(e.new_balance).toBe((last.get(e.iban) ?? 0n) + e.changed_by);
        last.set(e.iban, e.new_balance);
      }
    }
    expect(last.get(A)).toBe(balances.get(A)?.balance);
    expect(last.get(B)).toBe(balances.get(B)?.balance);
  });

  it('handles an empty batch', () => {
    const r = decideTransfers(bank(), []);
    expect(r.outcomes).toEqual([]);
    expect(r.deltas.size).toBe(0);
  });
});

describe('account creation', () => {
  function sequence(values: string[]): () => string {
    let i = 0;
    return () => {
      const v = values[i++];
      if (v === undefined) throw new Error('generator exhausted');
      return v;
    };
  }

  it('opens an account per command with the generated iban and token and the command type', () => {
    const outcomes = decideAccountCreation([{ a_type: 'AUTO' }, { a_type: 'MANUAL' }], {
      iban: sequence([A, B]),
      token: sequence([TOKEN_A, TOKEN_B]),
    });
    expect(outcomes).toEqual([
      { ok: true, iban: A, token: TOKEN_A, a_type: 'AUTO' },
      { ok: true, iban: B, token: TOKEN_B, a_type: 'MANUAL' },
    ]);
    expect(NEW_ACCOUNT).toEqual({ balance: 0n, limit: -50_000n });
  });

  it('fails the later of two commands that drew the same iban in one batch', () => {
    const outcomes = decideAccountCreation([{ a_type: 'AUTO' }, { a_type: 'AUTO' }, { a_type: 'AUTO' }], {
      iban: sequence([A, A, B]),
      token: sequence([TOKEN_A, TOKEN_B, TOKEN_B]),
    });
    expect(outcomes.map((o) => (o.ok ? o.iban : o.reason))).toEqual([A, FailureReason.ibanExists, B]);
  });

  it('fails an iban that is already taken', () => {
    const outcomes = decideAccountCreation(
      [{ a_type: 'AUTO' }],
      { iban: () => COMPANY_IBAN, token: () => TOKEN_A },
      new Set([COMPANY_IBAN]),
    );
    expect(outcomes).toEqual([{ ok: false, reason: 'generated iban already exists, try again' }]);
  });

  it('settles proposals against what the database accepted', () => {
    const proposed = decideAccountCreation([{ a_type: 'AUTO' }, { a_type: 'MANUAL' }], {
      iban: sequence([A, B]),
      token: sequence([TOKEN_A, TOKEN_B]),
    });
    expect(settleAccountCreations(proposed, new Set([B]))).toEqual([
      { ok: false, reason: FailureReason.ibanExists },
      { ok: true, iban: B, token: TOKEN_B, a_type: 'MANUAL' },
    ]);
  });
});

describe('failure reasons', () => {
  it('carry the exact texts of the original', () => {
    expect(FailureReason).toMatchObject({
      fromInvalid: 'from is invalid',
      sameAccount: "from and to can't be same for transfer",
      invalidToken: 'invalid token',
      insufficientFunds: 'insufficient funds',
      bothUnknown: 'both to and from not known at this bank',
      ibanExists: 'generated iban already exists, try again',
    });
  });
});
