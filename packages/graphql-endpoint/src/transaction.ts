import type { Direction, Transaction } from '@open-bank/contract';
import { formatEuro } from './euro.ts';

/** A stored balance change: one row of transactiondb's `transaction` table. */
export interface TransactionRow {
  readonly id: number;
  readonly iban: string;
  readonly newBalance: bigint;
  readonly changedBy: bigint;
  readonly fromTo: string;
  readonly description: string;
}

export type { Direction, Transaction };

export function directionOf(changedBy: bigint): Direction {
  return changedBy < 0n ? 'DEBIT' : 'CREDIT';
}

export function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** changed_by is shown as an absolute amount; the direction carries the sign. */
export function toTransaction(row: TransactionRow): Transaction {
  return {
    id: row.id,
    iban: row.iban,
    new_balance: formatEuro(row.newBalance),
    changed_by: formatEuro(abs(row.changedBy)),
    from_to: row.fromTo,
    descr: row.description,
    direction: directionOf(row.changedBy),
  };
}

/** The optional arguments of `stream_transactions`; absent (or null) means "any". */
export interface TransactionFilter {
  readonly iban?: string | null;
  /** Compared with the absolute cents changed. */
  readonly minAmount?: number | null;
  readonly direction?: Direction | null;
}

export function matches(filter: TransactionFilter, row: TransactionRow): boolean {
  if (filter.iban != null && filter.iban !== row.iban) return false;
  if (filter.minAmount != null && abs(row.changedBy) < BigInt(filter.minAmount)) return false;
  if (filter.direction != null && filter.direction !== directionOf(row.changedBy)) return false;
  return true;
}
