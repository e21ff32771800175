import {
  type AccountCreationConfirmed,
  bytesToUuid,
  CASH,
  COMPANY_IBAN,
  COMPANY_TOKEN,
  type ConfirmMoneyTransfer,
  uuidToBytes,
} from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import {
  ALBERT_HEIJN,
  CASH_AMOUNTS,
  type Command,
  CommandGenerator,
  commandForBeat,
  createsAccount,
  KIND_SLOTS,
  KnownAccounts,
  kindOfSlot,
  type TransferKind,
  transferOf,
} from './generate.ts';
import type { Random } from './random.ts';

const NOW = new Date(2024, 0, 2, 3, 4, 5, 6);
const STAMP = '2024-01-02T03:04:05.006';
const uuidN = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * Plays back the draws a test expects, in order, checking each draw's range: so a test also pins down
 * which ranges the generator draws from.
 */
function scripted(draws: [maxExclusive: number, value: number][]): Random & { left(): number } {
  const queue = [...draws];
  let uuids = 0;
  return {
    int(maxExclusive) {
      const next = queue.shift();
      if (!next) throw new Error(`unexpected draw from 0..${maxExclusive - 1}`);
      expect(maxExclusive, 'range of the draw').toBe(next[0]);
      return next[1];
    },
    uuid: () => uuidN(++uuids),
    left: () => queue.length,
  };
}

/** A small seeded generator (mulberry32), for tests that look at many draws. */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  let uuids = 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (max) => Math.floor(next() * max), uuid: () => uuidN(++uuids) };
}

const slotOf = (kind: TransferKind) => KIND_SLOTS.indexOf(kind);
const confirmed = (n: number, a_type: 'AUTO' | 'MANUAL' = 'AUTO'): AccountCreationConfirmed => ({
  id: uuidToBytes(uuidN(1000 + n)),
  iban: `NL00OPEN00000000${String(n).padStart(2, '0')}`,
  token: `token-${n}`,
  a_type,
});
const transfer = (c: Command): ConfirmMoneyTransfer => {
  if (c.topic !== 'confirmMoneyTransfer') throw new Error(`expected a transfer, got ${c.topic}`);
  return c.value;
};

function knowing(...ns: number[]): KnownAccounts {
  const accounts = new KnownAccounts();
  for (const n of ns) accounts.add(confirmed(n));
  return accounts;
}

describe('which beats create accounts', () => {
  it('is every beat below 20 and every multiple of 200', () => {
    const creating = [...Array(1001).keys()].filter((b) => createsAccount(BigInt(b)));
    expect(creating).toEqual([...Array(20).keys(), 200, 400, 600, 800, 1000]);
    expect(createsAccount(10n ** 15n)).toBe(true);
    expect(createsAccount(10n ** 15n + 1n)).toBe(false);
  });

  it('turns such a beat into ConfirmAccountCreation{random id, AUTO} without other draws', () => {
    for (const beat of [0n, 19n, 200n, 4000n]) {
      const random = scripted([]);
      const command = commandForBeat(beat, knowing(1), random, NOW);
      expect(command).toEqual({
        topic: 'confirmAccountCreation',
        value: { id: uuidToBytes(uuidN(1)), a_type: 'AUTO' },
      });
    }
  });

  it('turns any other beat into a money transfer', () => {
    for (const beat of [20n, 199n, 201n, 399n]) {
      const random = scripted([
        [70, slotOf('ah pin')],
        [10_000, 0],
      ]);
      expect(commandForBeat(beat, new KnownAccounts(), random, NOW).topic).toBe('confirmMoneyTransfer');
      expect(random.left()).toBe(0);
    }
  });
});

describe('the kind of a transfer', () => {
  it('comes from 70 equal slots: 1 salary, 3 deposit, 10 withdraw, 40 ah pin, 16 transfer', () => {
    expect(KIND_SLOTS).toHaveLength(70);
    const counts: Record<string, number> = {};
    for (let slot = 0; slot < 70; slot++) {
      const kind = kindOfSlot(slot);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    expect(counts).toEqual({ salary: 1, deposit: 3, withdraw: 10, 'ah pin': 40, transfer: 16 });
    expect(() => kindOfSlot(70)).toThrow(RangeError);
  });

  it('is drawn from all 70 slots for each beat', () => {
    for (let slot = 0; slot < 70; slot++) {
      const kind = kindOfSlot(slot);
      const draws: [number, number][] = [[70, slot]];
      if (kind === 'salary' || kind === 'deposit' || kind === 'transfer') draws.push([2, 1]); // to
      if (kind === 'withdraw' || kind === 'ah pin' || kind === 'transfer') draws.push([2, 0]); // from
      draws.push(
        kind === 'salary' ? [50_000, 0] : kind === 'deposit' || kind === 'withdraw' ? [8, 0] : [10_000, 0],
      );
      const random = scripted(draws);
      const value = transfer(commandForBeat(21n, knowing(1, 2), random, NOW));
      expect(value.description).toBe(`${kind} ${STAMP}`);
      expect(random.left()).toBe(0);
    }
  });
});

describe('a transfer, by kind', () => {
  it('salary: from the company account with its token to a random known account', () => {
    const random = scripted([
      [3, 2],
      [50_000, 123],
    ]);
    expect(transferOf('salary', knowing(1, 2, 3), random, NOW)).toEqual({
      id: uuidToBytes(uuidN(1)),
      token: COMPANY_TOKEN,
      amount: 220_123n,
      from: COMPANY_IBAN,
      to: confirmed(3).iban,
      description: `salary ${STAMP}`,
    });
  });

  it('deposit: from cash with token cash to a random known account, a cash amount', () => {
    const random = scripted([
      [2, 0],
      [8, 3],
    ]);
    expect(transferOf('deposit', knowing(1, 2), random, NOW)).toMatchObject({
      token: CASH,
      amount: 3000n,
      from: CASH,
      to: confirmed(1).iban,
      description: `deposit ${STAMP}`,
    });
  });

  it('withdraw: from a random known account with its token to cash, a cash amount', () => {
    const random = scripted([
      [2, 1],
      [8, 7],
    ]);
    expect(transferOf('withdraw', knowing(1, 2), random, NOW)).toMatchObject({
      token: 'token-2',
      amount: 20_000n,
      from: confirmed(2).iban,
      to: CASH,
      description: `withdraw ${STAMP}`,
    });
  });

  it('ah pin: from a random known account to Albert Heijn BV', () => {
    const random = scripted([
      [2, 0],
      [10_000, 9_999],
    ]);
    expect(transferOf('ah pin', knowing(1, 2), random, NOW)).toMatchObject({
      token: 'token-1',
      amount: 10_999n,
      from: confirmed(1).iban,
      to: ALBERT_HEIJN,
      description: `ah pin ${STAMP}`,
    });
  });

  it('transfer: between two random known accounts, drawn independently', () => {
    const random = scripted([
      [3, 0], // to
      [3, 2], // from
      [10_000, 0],
    ]);
    expect(transferOf('transfer', knowing(1, 2, 3), random, NOW)).toMatchObject({
      token: 'token-3',
      amount: 1_000n,
      from: confirmed(3).iban,
      to: confirmed(1).iban,
      description: `transfer ${STAMP}`,
    });
  });

  it('uses the company account, with its token, for every random account while none is known', () => {
    const none = new KnownAccounts();
    const cases: [TransferKind, [number, number][], Partial<ConfirmMoneyTransfer>][] = [
      ['salary', [[50_000, 0]], { from: COMPANY_IBAN, token: COMPANY_TOKEN, to: COMPANY_IBAN }],
      ['deposit', [[8, 0]], { from: CASH, token: CASH, to: COMPANY_IBAN }],
      ['withdraw', [[8, 0]], { from: COMPANY_IBAN, token: COMPANY_TOKEN, to: CASH }],
      ['ah pin', [[10_000, 0]], { from: COMPANY_IBAN, token: COMPANY_TOKEN, to: ALBERT_HEIJN }],
      ['transfer', [[10_000, 0]], { from: COMPANY_IBAN, token: COMPANY_TOKEN, to: COMPANY_IBAN }],
    ];
    for (const [kind, draws, expected] of cases) {
      const random = scripted(draws);
      expect(transferOf(kind, none, random, NOW)).toMatchObject(expected);
      expect(random.left()).toBe(0);
    }
  });

  it('keeps amounts within their sets and ranges over many draws', () => {
    const random = seeded(42);
    const accounts = knowing(1, 2, 3, 4, 5);
    const seen: Record<TransferKind, Set<bigint>> = {
      salary: new Set(),
      deposit: new Set(),
      withdraw: new Set(),
      'ah pin': new Set(),
      transfer: new Set(),
    };
    for (let i = 0; i < 20_000; i++) {
      const kind = KIND_SLOTS[i % 70] as TransferKind;
      seen[kind].add(transferOf(kind, accounts, random, NOW).amount);
    }
    const within = (s: Set<bigint>, min: bigint, max: bigint) => [...s].every((a) => a >= min && a <= max);
    expect(within(seen.salary, 220_000n, 269_999n)).toBe(true);
    expect(within(seen['ah pin'], 1_000n, 10_999n)).toBe(true);
    expect(within(seen.transfer, 1_000n, 10_999n)).toBe(true);
    const cash = [2000n, 3000n, 5000n, 10000n, 20000n];
    expect([...seen.deposit].sort()).toEqual([...cash].sort());
    expect([...seen.withdraw].sort()).toEqual([...cash].sort());
    expect(CASH_AMOUNTS).toEqual([2000n, 2000n, 2000n, 3000n, 5000n, 5000n, 10000n, 20000n]);
  });

  it('draws each kind about as often as its slots say', () => {
    const random = seeded(7);
    const generator = new CommandGenerator(random);
    generator.remember([confirmed(1), confirmed(2)]);
    const counts: Record<string, number> = {};
    const beats = Array.from({ length: 70_000 }, (_, i) => BigInt(i * 200 + 21));
    for (const c of generator.forBeats(beats, NOW)) {
      const kind = transfer(c).description.slice(0, -STAMP.length - 1);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    const expected = { salary: 1000, deposit: 3000, withdraw: 10_000, 'ah pin': 40_000, transfer: 16_000 };
    for (const [kind, n] of Object.entries(expected))
      expect(Math.abs((counts[kind] ?? 0) - n), kind).toBeLessThan(5 * Math.sqrt(n));
  });
});

describe('CommandGenerator', () => {
  it('makes one command per beat, in beat order', () => {
    const generator = new CommandGenerator(seeded(1));
    const commands = generator.forBeats([18n, 19n, 20n, 21n, 200n], NOW);
    expect(commands.map((c) => c.topic)).toEqual([
      'confirmAccountCreation',
      'confirmAccountCreation',
      'confirmMoneyTransfer',
      'confirmMoneyTransfer',
      'confirmAccountCreation',
    ]);
    const ids = commands.map((c) => bytesToUuid(c.value.id));
    expect(new Set(ids).size).toBe(5);
  });

  it('remembers each new AUTO account and pays it a salary from the company account', () => {
    const random = scripted([[50_000, 777]]);
    const generator = new CommandGenerator(random);
    const commands = generator.forConfirmedAccounts([confirmed(1)], NOW);
    expect(commands).toEqual([
      {
        topic: 'confirmMoneyTransfer',
        value: {
          id: uuidToBytes(uuidN(1)),
          token: COMPANY_TOKEN,
          amount: 220_777n,
          from: COMPANY_IBAN,
          to: confirmed(1).iban,
          description: `salary ${STAMP}`,
        },
      },
    ]);
    expect(generator.accounts.all()).toEqual([{ iban: confirmed(1).iban, token: 'token-1' }]);
  });

  it('ignores MANUAL accounts and accounts it knows already', () => {
    const generator = new CommandGenerator(seeded(3));
    expect(generator.forConfirmedAccounts([confirmed(1, 'MANUAL')], NOW)).toEqual([]);
    expect(generator.forConfirmedAccounts([confirmed(2), confirmed(2)], NOW)).toHaveLength(1);
    expect(generator.forConfirmedAccounts([confirmed(2)], NOW)).toEqual([]);
    expect(generator.accounts.all().map((a) => a.iban)).toEqual([confirmed(2).iban]);
  });

  it('draws transfers from the accounts it learnt', () => {
    const generator = new CommandGenerator(seeded(5));
    generator.forConfirmedAccounts([confirmed(1), confirmed(2)], NOW);
    const known = new Set([confirmed(1).iban, confirmed(2).iban]);
    const beats = Array.from({ length: 500 }, (_, i) => BigInt(i * 200 + 100));
    const values = generator.forBeats(beats, NOW).map(transfer);
    for (const v of values) {
      if (v.from !== CASH && v.from !== COMPANY_IBAN) expect(known.has(v.from)).toBe(true);
      if (![CASH, ALBERT_HEIJN].includes(v.to)) expect(known.has(v.to)).toBe(true);
    }
    expect(values.some((v) => v.from === confirmed(1).iban)).toBe(true);
    expect(values.some((v) => v.from === confirmed(2).iban)).toBe(true);
  });

  it('remembers accounts read back at start without paying them, and still pays new ones', () => {
    const generator = new CommandGenerator(seeded(9));
    expect(generator.remember([confirmed(1), confirmed(2, 'MANUAL'), confirmed(1), confirmed(3)])).toBe(2);
    expect(generator.accounts.size).toBe(2);
    // A redelivery of an account read back at start is no new account.
    expect(generator.forConfirmedAccounts([confirmed(3)], NOW)).toEqual([]);
    const paid = generator.forConfirmedAccounts([confirmed(4)], NOW).map(transfer);
    expect(paid.map((t) => t.to)).toEqual([confirmed(4).iban]);
  });
});
