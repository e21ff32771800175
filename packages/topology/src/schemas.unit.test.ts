import { describe, expect, it } from 'vitest';
import { avroType, schemaText } from './avro.ts';
import { NAMESPACE, RecordName, schemas } from './schemas.ts';

const fieldsOf = (kind: keyof typeof schemas) =>
  (schemas[kind] as { fields: { name: string }[] }).fields.map((f) => f.name);

describe('schemas (SPEC §3)', () => {
  it('names every record in the nl.openweb.data namespace', () => {
    for (const [kind, schema] of Object.entries(schemas)) {
      expect(avroType(schema).name).toBe(`${NAMESPACE}.${kind}`);
      expect(RecordName[kind as keyof typeof RecordName]).toBe(`${NAMESPACE}.${kind}`);
    }
  });

  it('keeps the field order of the SPEC', () => {
    expect(fieldsOf('Heartbeat')).toEqual(['beat']);
    expect(fieldsOf('ConfirmAccountCreation')).toEqual(['id', 'a_type']);
    expect(fieldsOf('AccountCreationConfirmed')).toEqual(['id', 'iban', 'token', 'a_type']);
    expect(fieldsOf('AccountCreationFailed')).toEqual(['id', 'reason']);
    expect(fieldsOf('ConfirmMoneyTransfer')).toEqual(['id', 'token', 'amount', 'from', 'to', 'description']);
    expect(fieldsOf('MoneyTransferConfirmed')).toEqual(['id']);
    expect(fieldsOf('MoneyTransferFailed')).toEqual(['id', 'reason']);
    expect(fieldsOf('BalanceChanged')).toEqual([
      'iban',
      'new_balance',
      'changed_by',
      'from_to',
      'description',
    ]);
  });

  it('defines Uuid as fixed 16 and Atype as enum AUTO, MANUAL', () => {
    const t = avroType(schemas.AccountCreationConfirmed).schema() as {
      fields: { name: string; type: unknown }[];
    };
    expect(t.fields[0]?.type).toEqual({ type: 'fixed', name: `${NAMESPACE}.Uuid`, size: 16 });
    expect(t.fields[3]?.type).toEqual({
      type: 'enum',
      name: `${NAMESPACE}.Atype`,
      symbols: ['AUTO', 'MANUAL'],
    });
  });

  it('reads and writes longs as exact BigInt beyond 2^53', () => {
    const type = avroType(schemas.BalanceChanged);
    const value = {
      iban: 'NL66OPEN0000000000',
      new_balance: 10n ** 17n + 1n,
      changed_by: -(2n ** 63n),
      from_to: 'cash',
      description: 'deposit',
    };
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
    expect(type.isValid({ ...value, new_balance: 12 })).toBe(false);
  });

  it('encodes Avro longs as zig-zag varints, as every other Avro implementation does', () => {
    const type = avroType(schemas.Heartbeat);
    expect(type.toBuffer({ beat: 1n })).toEqual(Buffer.from([2]));
    expect(type.toBuffer({ beat: -1n })).toEqual(Buffer.from([1]));
    expect(type.toBuffer({ beat: 300n })).toEqual(Buffer.from([0xd8, 0x04]));
  });

  it('gives the compact JSON text the registry stores', () => {
    expect(schemaText(schemas.Heartbeat)).toBe(
      '{"type":"record","name":"Heartbeat","namespace":"nl.openweb.data","fields":[{"name":"beat","type":"long"}]}',
    );
  });
});
