import { CASH, compactIban, isValidIban, Limits } from '@open-bank/contract';
import { parseEuroInput } from './euro.ts';

/** What the endpoint accepts (its validation refuses longer values); the app asks for `min` at least. */
export const LoginLimits = {
  min: Limits.minCredential,
  maxUsername: Limits.maxUsername,
  maxPassword: Limits.maxPassword,
} as const;
export const MAX_DESCRIPTION = Limits.maxDescription;

export interface LoginInput {
  readonly username: string;
  readonly password: string;
}

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export function validateLogin(input: LoginInput): FieldErrors<keyof LoginInput> {
  const errors: FieldErrors<keyof LoginInput> = {};
  const username = input.username.trim();
  if (username.length < LoginLimits.min) {
    errors.username = `The username needs at least ${LoginLimits.min} characters`;
  } else if (username.length > LoginLimits.maxUsername) {
    errors.username = `The username may have at most ${LoginLimits.maxUsername} characters`;
  }
  if (input.password.length < LoginLimits.min) {
    errors.password = `The password needs at least ${LoginLimits.min} characters`;
  } else if (input.password.length > LoginLimits.maxPassword) {
    errors.password = `The password may have at most ${LoginLimits.maxPassword} characters`;
  }
  return errors;
}

export interface TransferInput {
  readonly amount: string;
  readonly to: string;
  readonly description: string;
}

export interface TransferRequest {
  readonly cents: number;
  readonly to: string;
  readonly description: string;
}

export type TransferValidation =
  | { readonly ok: true; readonly value: TransferRequest }
  | { readonly ok: false; readonly errors: FieldErrors<keyof TransferInput> };

/** A transfer from `ownIban`, checked the way the endpoint will check it, so a refusal is shown before sending. */
export function validateTransfer(input: TransferInput, ownIban: string): TransferValidation {
  const errors: FieldErrors<keyof TransferInput> = {};
  const amount = parseEuroInput(input.amount);
  if (!amount.ok) errors.amount = amount.error;
  const rawTo = input.to.trim();
  const to = rawTo.toLowerCase() === CASH ? CASH : compactIban(rawTo);
  if (to === '') errors.to = 'Enter the IBAN to transfer to';
  else if (to !== CASH && !isValidIban(to)) errors.to = 'This is not a valid IBAN';
  else if (to === ownIban) errors.to = 'You cannot transfer to your own account';
  const description = input.description.trim();
  if (description.length > MAX_DESCRIPTION) {
    errors.description = `At most ${MAX_DESCRIPTION} characters`;
  }
  if (!amount.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { cents: amount.cents, to, description } };
}

export function hasErrors(errors: Readonly<Record<string, string | undefined>>): boolean {
  return Object.values(errors).some((e) => e !== undefined);
}
