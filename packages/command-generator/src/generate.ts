import {
  type AccountCreationConfirmed,
  CASH,
  COMPANY_IBAN,
  COMPANY_TOKEN,
  type ConfirmAccountCreation,
  type ConfirmMoneyTransfer,
  localDateTime,
  uuidToBytes,
} from '@open-bank/topology';
import type { Random } from './random.ts';

export type TransferKind = 'salary' | 'deposit' | 'withdraw' | 'ah pin' | 'transfer';

/** 70 equally likely slots (SPEC §4): 1 salary, 3 deposit, 10 withdraw, 40 "ah pin", 16 "transfer". */
export const KIND_SLOTS: readonly TransferKind[] = [
  ...Array<TransferKind>(1).fill('salary'),
  ...Array<TransferKind>(3).fill('deposit'),
  ...Array<TransferKind>(10).fill('withdraw'),
  ...Array<TransferKind>(40).fill('ah pin'),
  ...Array<TransferKind>(16).fill('transfer'),
];

/** Cash amounts in cents, drawn uniformly, so 20 euro is three times as likely as 30. */
export const CASH_AMOUNTS: readonly bigint[] = [2000n, 2000n, 2000n, 3000n, 5000n, 5000n, 10000n, 20000n];
export const ALBERT_HEIJN = 'Albert Heijn BV';
export const SALARY_BASE = 220_000n;
export const SALARY_SPREAD = 50_000;
export const OTHER_BASE = 1_000n;
export const OTHER_SPREAD = 10_000;

export interface KnownAccount {
  readonly iban: string;
  readonly token: string;
}

export const COMPANY_ACCOUNT: KnownAccount = { iban: COMPANY_IBAN, token: COMPANY_TOKEN };

/** AUTO accounts seen confirmed, in the order first seen, each once. */
export class KnownAccounts {
  private readonly list: KnownAccount[] = [];
  private readonly ibans = new Set<string>();

  /** Remembers an account; false when its IBAN was known already. */
  add(account: KnownAccount): boolean {
    if (this.ibans.has(account.iban)) return false;
    this.ibans.add(account.iban);
    this.list.push({ iban: account.iban, token: account.token });
    return true;
  }

  get size(): number {
    return this.list.length;
  }

  all(): readonly KnownAccount[] {
    return this.list;
  }

  /** A random known account, or the company account while none is known. */
  pick(random: Random): KnownAccount {
    if (this.list.length === 0) return COMPANY_ACCOUNT;
    return this.list[random.int(this.list.length)] as KnownAccount;
  }
}

export type Command =
  | { readonly topic: 'confirmAccountCreation'; readonly value: ConfirmAccountCreation }
  | { readonly topic: 'confirmMoneyTransfer'; readonly value: ConfirmMoneyTransfer };

/** Beats 0–19 open the first accounts, and every 200th beat opens one more. */
export function createsAccount(beat: bigint): boolean {
  return beat < 20n || beat % 200n === 0n;
}

export function kindOfSlot(slot: number): TransferKind {
  const kind = KIND_SLOTS[slot];
  if (kind === undefined) throw new RangeError(`slot ${slot} is not one of 0..${KIND_SLOTS.length - 1}`);
  return kind;
}

export function amountOf(kind: TransferKind, random: Random): bigint {
  switch (kind) {
    case 'salary':
      return SALARY_BASE + BigInt(random.int(SALARY_SPREAD));
    case 'deposit':
    case 'withdraw':
      return CASH_AMOUNTS[random.int(CASH_AMOUNTS.length)] as bigint;
    default:
      return OTHER_BASE + BigInt(random.int(OTHER_SPREAD));
  }
}

/**
 * A money transfer of the given kind. `to` is a random known account (the company account while none is
 * known) except for withdrawals (cash) and card payments (Albert Heijn), unless given.
 */
export function transferOf(
  kind: TransferKind,
  accounts: KnownAccounts,
  random: Random,
  now: Date,
  to?: string,
): ConfirmMoneyTransfer {
  const target =
    to ?? (kind === 'withdraw' ? CASH : kind === 'ah pin' ? ALBERT_HEIJN : accounts.pick(random).iban);
  const from: KnownAccount =
    kind === 'salary'
      ? COMPANY_ACCOUNT
      : kind === 'deposit'
        ? { iban: CASH, token: CASH }
        : accounts.pick(random);
  return {
    id: uuidToBytes(random.uuid()),
    token: from.token,
    amount: amountOf(kind, random),
    from: from.iban,
    to: target,
    description: `${kind} ${localDateTime(now)}`,
  };
}

export function commandForBeat(beat: bigint, accounts: KnownAccounts, random: Random, now: Date): Command {
  if (createsAccount(beat)) {
    return { topic: 'confirmAccountCreation', value: { id: uuidToBytes(random.uuid()), a_type: 'AUTO' } };
  }
  const kind = kindOfSlot(random.int(KIND_SLOTS.length));
  return { topic: 'confirmMoneyTransfer', value: transferOf(kind, accounts, random, now) };
}

/** The generator's state: the AUTO accounts it knows, which it draws from and pays salaries to. */
export class CommandGenerator {
  readonly accounts = new KnownAccounts();

  constructor(private readonly random: Random) {}

  /** One command per beat, in beat order. */
  forBeats(beats: readonly bigint[], now: Date): Command[] {
    return beats.map((beat) => commandForBeat(beat, this.accounts, this.random, now));
  }

  /**
   * Remembers each newly confirmed AUTO account and pays it a salary from the company account. MANUAL
   * accounts belong to people, and an account seen before (a redelivery, or one read back at start) was
   * paid already: neither produces anything.
   */
  forConfirmedAccounts(confirmed: readonly AccountCreationConfirmed[], now: Date): Command[] {
    const commands: Command[] = [];
    for (const c of confirmed) {
      if (c.a_type !== 'AUTO' || !this.accounts.add(c)) continue;
      commands.push({
        topic: 'confirmMoneyTransfer',
        value: transferOf('salary', this.accounts, this.random, now, c.iban),
      });
    }
    return commands;
  }

  /** Remembers AUTO accounts confirmed before this process started, without paying them again. */
  remember(confirmed: readonly AccountCreationConfirmed[]): number {
    let added = 0;
    for (const c of confirmed) if (c.a_type === 'AUTO' && this.accounts.add(c)) added++;
    return added;
  }
}
