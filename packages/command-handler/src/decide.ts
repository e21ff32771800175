import type { Atype, BalanceChanged } from '@open-bank/topology';
import { ACCOUNT_LIMIT, CASH, isBankIban } from '@open-bank/topology';

/** The business rules of the command handler (SPEC §4), free of I/O so they can be tested exhaustively. */

export const FailureReason = {
  fromInvalid: 'from is invalid',
  sameAccount: "from and to can't be same for transfer",
  invalidToken: 'invalid token',
  insufficientFunds: 'insufficient funds',
  bothUnknown: 'both to and from not known at this bank',
  ibanExists: 'generated iban already exists, try again',
  // Not in the original: without these a command could violate the balance table's limit check or
  // overflow its bigint, which would leave it without any answer.
  amountNotPositive: 'amount must be positive',
  amountTooLarge: 'amount too large',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

/** PostgreSQL bigint and Avro long share this ceiling. */
export const MAX_BALANCE = 2n ** 63n - 1n;

export interface Account {
  readonly token: string;
  balance: bigint;
  readonly limit: bigint;
}

export interface Transfer {
  readonly token: string;
  readonly amount: bigint;
  readonly from: string;
  readonly to: string;
  readonly description: string;
}

export type TransferOutcome =
  | { readonly ok: true; readonly events: readonly BalanceChanged[] }
  | { readonly ok: false; readonly reason: FailureReason };

export interface TransferDecisions {
  /** One per transfer, in input order. */
  readonly outcomes: TransferOutcome[];
  /** Net change per IBAN over all transfers; IBANs whose balance did not change are left out. */
  readonly deltas: Map<string, bigint>;
  /** Balances after all transfers, for every account given. */
  readonly balances: Map<string, Account>;
}

/**
 * Decides transfers one after the other against the given accounts (every account the transfers may touch;
 * an IBAN missing from the map is not known at this bank). The input map is not changed.
 */
export function decideTransfers(
  accounts: ReadonlyMap<string, Account>,
  transfers: readonly Transfer[],
): TransferDecisions {
  // Own copies, changed in place while deciding: the caller's accounts stay as they were.
  const balances = new Map<string, Account>();
  for (const [iban, a] of accounts)
    balances.set(iban, { token: a.token, balance: a.balance, limit: a.limit });
  const outcomes = transfers.map((t) => decideTransfer(balances, t));
  const deltas = new Map<string, bigint>();
  for (const [iban, after] of balances) {
    const before = accounts.get(iban);
    const delta = after.balance - (before?.balance ?? 0n);
    if (delta !== 0n) deltas.set(iban, delta);
  }
  return { outcomes, deltas, balances };
}

/**
 * Decides one transfer and applies it to the accounts in `balances` (changing their balance in place) when
 * it succeeds. Checks run in the SPEC's order.
 */
export function decideTransfer(balances: ReadonlyMap<string, Account>, t: Transfer): TransferOutcome {
  if (t.from !== CASH && !isBankIbanCached(t.from)) return fail(FailureReason.fromInvalid);
  if (t.from === t.to) return fail(FailureReason.sameAccount);
  const from = balances.get(t.from);
  const to = balances.get(t.to);
  // The amount guards come last, so they only turn what would be a confirmation into a failure.
  if (from) {
    if (t.token !== from.token) return fail(FailureReason.invalidToken);
    if (t.amount <= 0n) return fail(FailureReason.amountNotPositive);
    if (from.balance - t.amount < from.limit) return fail(FailureReason.insufficientFunds);
    if (to && to.balance + t.amount > MAX_BALANCE) return fail(FailureReason.amountTooLarge);
    const events: BalanceChanged[] = [change(t.from, from, -t.amount, t.to, t.description)];
    if (to) events.push(change(t.to, to, t.amount, t.from, t.description));
    return { ok: true, events };
  }
  if (!to) return fail(FailureReason.bothUnknown);
  if (t.amount <= 0n) return fail(FailureReason.amountNotPositive);
  if (to.balance + t.amount > MAX_BALANCE) return fail(FailureReason.amountTooLarge);
  return { ok: true, events: [change(t.to, to, t.amount, t.from, t.description)] };
}

function change(
  iban: string,
  account: Account,
  by: bigint,
  counterParty: string,
  description: string,
): BalanceChanged {
  account.balance += by;
  return { iban, new_balance: account.balance, changed_by: by, from_to: counterParty, description };
}

// The same few hundred IBANs come by all the time, and the mod-97 check is not free.
const bankIbans = new Map<string, boolean>();

/** `isBankIban`, remembered (a bounded cache: it only ever holds the answer of a pure function). */
export function isBankIbanCached(value: string): boolean {
  let known = bankIbans.get(value);
  if (known === undefined) {
    known = isBankIban(value);
    if (bankIbans.size >= 100_000) bankIbans.clear();
    bankIbans.set(value, known);
  }
  return known;
}

function fail(reason: FailureReason): TransferOutcome {
  return { ok: false, reason };
}

export interface AccountGenerators {
  /** A new IBAN of this bank; injected so tests can force collisions. */
  readonly iban: () => string;
  readonly token: () => string;
}

export type AccountCreationOutcome =
  | { readonly ok: true; readonly iban: string; readonly token: string; readonly a_type: Atype }
  | { readonly ok: false; readonly reason: FailureReason };

/** A new account starts empty and may go this far below zero. */
export const NEW_ACCOUNT = { balance: 0n, limit: ACCOUNT_LIMIT } as const;

/**
 * Proposes a new account per creation command. An IBAN generated twice within the batch, or already in
 * `taken`, fails the later command; whether the database already holds an IBAN is settled afterwards with
 * `settleAccountCreations`.
 */
export function decideAccountCreation(
  commands: readonly { readonly a_type: Atype }[],
  generate: AccountGenerators,
  taken: ReadonlySet<string> = new Set(),
): AccountCreationOutcome[] {
  const used = new Set(taken);
  return commands.map((c) => {
    const iban = generate.iban();
    const token = generate.token();
    if (used.has(iban)) return { ok: false, reason: FailureReason.ibanExists };
    used.add(iban);
    return { ok: true, iban, token, a_type: c.a_type };
  });
}

/** Turns proposed accounts whose IBAN the database did not accept (it existed) into failures. */
export function settleAccountCreations(
  proposed: readonly AccountCreationOutcome[],
  inserted: ReadonlySet<string>,
): AccountCreationOutcome[] {
  return proposed.map((o) =>
    o.ok && !inserted.has(o.iban) ? { ok: false, reason: FailureReason.ibanExists } : o,
  );
}
