import { compactIban } from '@open-bank/contract';
import type { Transaction } from './transactions.ts';

/** One account as the bank employee sees it: its latest transaction (from all_last_transactions). */
export interface AccountRow {
  readonly iban: string;
  readonly balance: string | null;
  readonly last: Transaction;
}

export function accountRows(latest: readonly Transaction[]): AccountRow[] {
  const rows: AccountRow[] = [];
  for (const t of latest) if (t.iban) rows.push({ iban: t.iban, balance: t.new_balance, last: t });
  return rows.sort((a, b) => (a.iban < b.iban ? -1 : a.iban > b.iban ? 1 : 0));
}

export interface FilteredAccounts {
  readonly shown: readonly AccountRow[];
  /** How many match the filter, shown or not. */
  readonly matching: number;
}

/**
 * The accounts whose IBAN contains the filter (spaces and case ignored), at most `limit` of them: under load
 * the bank has thousands of accounts, and a page of them is what a person scans.
 */
export function filterAccounts(rows: readonly AccountRow[], filter: string, limit: number): FilteredAccounts {
  const needle = compactIban(filter);
  const matching = needle === '' ? rows : rows.filter((r) => r.iban.includes(needle));
  return { shown: matching.slice(0, limit), matching: matching.length };
}
