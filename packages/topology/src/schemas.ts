import type { Schema } from 'avsc';

/** Avro namespace of every record, kept from the original so both sides of the wire agree on names. */
export const NAMESPACE = 'nl.openweb.data';

export const RecordName = {
  Heartbeat: `${NAMESPACE}.Heartbeat`,
  ConfirmAccountCreation: `${NAMESPACE}.ConfirmAccountCreation`,
  AccountCreationConfirmed: `${NAMESPACE}.AccountCreationConfirmed`,
  AccountCreationFailed: `${NAMESPACE}.AccountCreationFailed`,
  ConfirmMoneyTransfer: `${NAMESPACE}.ConfirmMoneyTransfer`,
  MoneyTransferConfirmed: `${NAMESPACE}.MoneyTransferConfirmed`,
  MoneyTransferFailed: `${NAMESPACE}.MoneyTransferFailed`,
  BalanceChanged: `${NAMESPACE}.BalanceChanged`,
} as const;
export type RecordKind = keyof typeof RecordName;

export type Atype = 'AUTO' | 'MANUAL';

export interface Heartbeat {
  beat: bigint;
}
export interface ConfirmAccountCreation {
  id: Buffer;
  a_type: Atype;
}
export interface AccountCreationConfirmed {
  id: Buffer;
  iban: string;
  token: string;
  a_type: Atype;
}
export interface AccountCreationFailed {
  id: Buffer;
  reason: string;
}
export interface ConfirmMoneyTransfer {
  id: Buffer;
  token: string;
  amount: bigint;
  from: string;
  to: string;
  description: string;
}
export interface MoneyTransferConfirmed {
  id: Buffer;
}
export interface MoneyTransferFailed {
  id: Buffer;
  reason: string;
}
export interface BalanceChanged {
  iban: string;
  new_balance: bigint;
  changed_by: bigint;
  from_to: string;
  description: string;
}

export interface Records {
  Heartbeat: Heartbeat;
  ConfirmAccountCreation: ConfirmAccountCreation;
  AccountCreationConfirmed: AccountCreationConfirmed;
  AccountCreationFailed: AccountCreationFailed;
  ConfirmMoneyTransfer: ConfirmMoneyTransfer;
  MoneyTransferConfirmed: MoneyTransferConfirmed;
  MoneyTransferFailed: MoneyTransferFailed;
  BalanceChanged: BalanceChanged;
}

// Each subject holds a standalone schema, so the named types are defined inline at their first use in
// every record that needs them, exactly as the original's schemas do.
const uuid = { type: 'fixed', name: 'Uuid', size: 16 } as const;
const atype = { type: 'enum', name: 'Atype', symbols: ['AUTO', 'MANUAL'] } as const;

function record(name: RecordKind, fields: { name: string; type: unknown }[]): Schema {
  return { type: 'record', name, namespace: NAMESPACE, fields } as Schema;
}

export const schemas: Readonly<Record<RecordKind, Schema>> = {
  Heartbeat: record('Heartbeat', [{ name: 'beat', type: 'long' }]),
  ConfirmAccountCreation: record('ConfirmAccountCreation', [
    { name: 'id', type: uuid },
    { name: 'a_type', type: atype },
  ]),
  AccountCreationConfirmed: record('AccountCreationConfirmed', [
    { name: 'id', type: uuid },
    { name: 'iban', type: 'string' },
    { name: 'token', type: 'string' },
    { name: 'a_type', type: atype },
  ]),
  AccountCreationFailed: record('AccountCreationFailed', [
    { name: 'id', type: uuid },
    { name: 'reason', type: 'string' },
  ]),
  ConfirmMoneyTransfer: record('ConfirmMoneyTransfer', [
    { name: 'id', type: uuid },
    { name: 'token', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'from', type: 'string' },
    { name: 'to', type: 'string' },
    { name: 'description', type: 'string' },
  ]),
  MoneyTransferConfirmed: record('MoneyTransferConfirmed', [{ name: 'id', type: uuid }]),
  MoneyTransferFailed: record('MoneyTransferFailed', [
    { name: 'id', type: uuid },
    { name: 'reason', type: 'string' },
  ]),
  BalanceChanged: record('BalanceChanged', [
    { name: 'iban', type: 'string' },
    { name: 'new_balance', type: 'long' },
    { name: 'changed_by', type: 'long' },
    { name: 'from_to', type: 'string' },
    { name: 'description', type: 'string' },
  ]),
};
