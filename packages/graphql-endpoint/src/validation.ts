import { Limits, type MoneyTransferInput } from '@open-bank/contract';
import { CASH, isUuid, isValidIban } from '@open-bank/topology';
import { BadInputError } from './errors.ts';
import type { Direction, TransactionFilter } from './transaction.ts';

/** Limits on what clients may send; anything outside them is refused before it reaches Kafka or the database. */
export { Limits };

const TOKEN = /^\d{20}$/;

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function maxLength(argument: string, value: string, max: number, min = 0): string {
  if (value.length > max) {
    throw new BadInputError(argument, `${argument} must be at most ${max} characters, got ${value.length}`);
  }
  if (value.length < min) {
    throw new BadInputError(
      argument,
      min === 1 ? `${argument} must not be empty` : `${argument} must be at least ${min} characters`,
    );
  }
  return value;
}

/** Lower-case, so the same id in another case is the same request. */
export function validUuid(argument: string, value: string): string {
  if (!isUuid(value)) throw new BadInputError(argument, `${argument} must be a UUID, got ${shown(value)}`);
  return value.toLowerCase();
}

/** An IBAN in electronic format: spaces as people type them are dropped and letters upper-cased first. */
export function validIban(argument: string, value: string): string {
  const compact = value.length <= 64 ? value.replace(/\s+/g, '').toUpperCase() : value;
  if (!isValidIban(compact)) {
    throw new BadInputError(argument, `${argument} must be a valid IBAN, got ${shown(value)}`);
  }
  return compact;
}

function cashOrIban(argument: string, value: string): string {
  if (value === CASH) return value;
  try {
    return validIban(argument, value);
  } catch {
    throw new BadInputError(argument, `${argument} must be '${CASH}' or a valid IBAN, got ${shown(value)}`);
  }
}

export function validAmount(argument: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 1 || value > Limits.maxAmountCents) {
    throw new BadInputError(
      argument,
      `${argument} must be a whole number of cents from 1 to ${Limits.maxAmountCents}, got ${value}`,
    );
  }
  return BigInt(value);
}

export type { MoneyTransferInput };

export interface MoneyTransferRequest {
  readonly uuid: string;
  readonly token: string;
  readonly amount: bigint;
  readonly from: string;
  readonly to: string;
  readonly description: string;
}

export function validMoneyTransfer(input: MoneyTransferInput): MoneyTransferRequest {
  const uuid = validUuid('uuid', input.uuid);
  if (input.token !== CASH && !TOKEN.test(input.token)) {
    throw new BadInputError('token', `token must be '${CASH}' or 20 digits, got ${shown(input.token)}`);
  }
  const amount = validAmount('amount', input.amount);
  const from = cashOrIban('from', input.from);
  const to = cashOrIban('to', input.to);
  const description = maxLength('descr', input.descr, Limits.maxDescription);
  return { uuid, token: input.token, amount, from, to, description };
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export function validCredentials(input: Credentials): Credentials {
  return {
    username: maxLength('username', input.username, Limits.maxUsername, 1),
    password: maxLength('password', input.password, Limits.maxPassword, 1),
  };
}

export function validMaxItems(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > Limits.maxItems) {
    throw new BadInputError('max_items', `max_items must be from 0 to ${Limits.maxItems}, got ${value}`);
  }
  return value;
}

export interface StreamArguments {
  readonly iban?: string | null;
  readonly min_amount?: number | null;
  readonly direction?: Direction | null;
}

export function validFilter(args: StreamArguments): TransactionFilter {
  const iban = args.iban == null ? null : validIban('iban', args.iban);
  if (args.min_amount != null && args.min_amount < 0) {
    throw new BadInputError('min_amount', `min_amount must not be negative, got ${args.min_amount}`);
  }
  return { iban, minAmount: args.min_amount ?? null, direction: args.direction ?? null };
}
