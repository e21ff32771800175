import { describe, expect, it } from 'vitest';
import { BadInputError } from './errors.ts';
import {
  Limits,
  type MoneyTransferInput,
  validCredentials,
  validFilter,
  validMaxItems,
  validMoneyTransfer,
} from './validation.ts';

const good: MoneyTransferInput = {
  uuid: '3F2504E0-4F89-11D3-9A0C-0305E82C3301',
  token: '12345678901234567890',
  amount: 1234,
  from: 'NL66OPEN0000000000',
  to: 'cash',
  descr: 'withdraw',
};

function refusal(f: () => unknown): BadInputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError');
}

describe('validMoneyTransfer', () => {
  it('accepts a good transfer, lower-cases the uuid and keeps the amount exact as BigInt', () => {
    expect(validMoneyTransfer(good)).toEqual({
      uuid: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      token: '12345678901234567890',
      amount: 1234n,
      from: 'NL66OPEN0000000000',
      to: 'cash',
      description: 'withdraw',
    });
  });

  it('accepts a deposit from cash with token cash, to an IBAN typed with spaces and lower case', () => {
    const r = validMoneyTransfer({ ...good, from: 'cash', token: 'cash', to: 'nl66 open 0000 0000 00' });
    expect(r.to).toBe('NL66OPEN0000000000');
    expect(r.from).toBe('cash');
  });

  it('accepts IBANs of other banks (the command handler decides what it knows)', () => {
    expect(validMoneyTransfer({ ...good, to: 'DE89370400440532013000' }).to).toBe('DE89370400440532013000');
  });

  it.each([
    ['not-a-uuid', 'uuid'],
    ['3f2504e0-4f89-11d3-9a0c-0305e82c330', 'uuid'],
    ['3f2504e0-4f89-11d3-9a0c-0305e82c3301x', 'uuid'],
    ['', 'uuid'],
  ])('refuses the malformed uuid %j', (uuid, argument) => {
    expect(refusal(() => validMoneyTransfer({ ...good, uuid })).argument).toBe(argument);
  });

  it.each([0, -1, -100000, Limits.maxAmountCents + 1, 2 ** 31, 1.5, Number.NaN])(
    'refuses the amount %d',
    (amount) => {
      const e = refusal(() => validMoneyTransfer({ ...good, amount }));
      expect(e.argument).toBe('amount');
      expect(e.code).toBe('BAD_USER_INPUT');
    },
  );

  it('accepts the largest allowed amount', () => {
    expect(validMoneyTransfer({ ...good, amount: Limits.maxAmountCents }).amount).toBe(100_000_000n);
  });

  it.each([
    ['from', 'NL67OPEN0000000000'],
    ['from', 'NL66OPEN000000000'],
    ['from', 'Cash'],
    ['to', 'Albert Heijn BV'],
    ['to', 'XX00'],
    ['to', 'x'.repeat(10_000)],
  ])('refuses the malformed %s %j', (argument, value) => {
    const e = refusal(() => validMoneyTransfer({ ...good, [argument]: value }));
    expect(e.argument).toBe(argument);
    // Long input is never echoed in full.
    expect(e.message.length).toBeLessThan(200);
  });

  it.each(['', '1234', '1234567890123456789a', '123456789012345678901', 'CASH'])(
    'refuses the malformed token %j',
    (token) => {
      expect(refusal(() => validMoneyTransfer({ ...good, token })).argument).toBe('token');
    },
  );

  it('refuses an overlong description but accepts one at the limit and an empty one', () => {
    expect(refusal(() => validMoneyTransfer({ ...good, descr: 'd'.repeat(201) })).argument).toBe('descr');
    expect(
      validMoneyTransfer({ ...good, descr: 'd'.repeat(Limits.maxDescription) }).description,
    ).toHaveLength(200);
    expect(validMoneyTransfer({ ...good, descr: '' }).description).toBe('');
  });
});

describe('validCredentials', () => {
  it('accepts ordinary credentials unchanged', () => {
    expect(validCredentials({ username: 'piet', password: 'secret12' })).toEqual({
      username: 'piet',
      password: 'secret12',
    });
  });

  it.each([
    ['username', ''],
    ['username', 'u'.repeat(Limits.maxUsername + 1)],
    ['password', ''],
    ['password', 'p'.repeat(Limits.maxPassword + 1)],
  ])('refuses the %s of length %#', (argument, value) => {
    const input = { username: 'piet', password: 'secret12', [argument]: value };
    expect(refusal(() => validCredentials(input)).argument).toBe(argument);
  });
});

describe('query arguments', () => {
  it('bounds max_items', () => {
    expect(validMaxItems(0)).toBe(0);
    expect(validMaxItems(Limits.maxItems)).toBe(Limits.maxItems);
    expect(refusal(() => validMaxItems(-1)).argument).toBe('max_items');
    expect(refusal(() => validMaxItems(Limits.maxItems + 1)).argument).toBe('max_items');
  });

  it('checks stream filters and fills absent ones with null', () => {
    expect(validFilter({})).toEqual({ iban: null, minAmount: null, direction: null });
    expect(validFilter({ iban: 'NL66OPEN0000000000', min_amount: 5, direction: 'DEBIT' })).toEqual({
      iban: 'NL66OPEN0000000000',
      minAmount: 5,
      direction: 'DEBIT',
    });
    expect(refusal(() => validFilter({ iban: 'NL00OPEN0000000000' })).argument).toBe('iban');
    expect(refusal(() => validFilter({ min_amount: -1 })).argument).toBe('min_amount');
  });
});
