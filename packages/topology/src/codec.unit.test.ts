import { describe, expect, it } from 'vitest';
import { avroType, schemaText } from './avro.ts';
import { Codec } from './codec.ts';
import { DecodeError, RegistryRequestError, SchemaNotRegisteredError } from './errors.ts';
import type { SchemaLookup } from './registry.ts';
import { schemas } from './schemas.ts';
import { resolveTopology } from './topics.ts';
import { uuidToBytes } from './uuid.ts';

/** An in-memory stand-in for the two registry look-ups the codec makes; the real one is in the int tests. */
function fakeRegistry(subjects: Record<string, { id: number; schema: string }>): SchemaLookup {
  const byId = new Map(Object.values(subjects).map((s) => [s.id, s.schema]));
  const notFound = () => new RegistryRequestError('not found', 404, { errorCode: 40403 });
  return {
    async idOf(subject, schema) {
      const s = subjects[subject];
      if (!s || s.schema !== schema) throw notFound();
      return s.id;
    },
    async schemaById(id) {
      const t = byId.get(id);
      if (t === undefined) throw notFound();
      return t;
    },
  };
}

const topology = resolveTopology();
const registry = fakeRegistry({
  'confirm_money_transfer-value': { id: 7, schema: schemaText(schemas.ConfirmMoneyTransfer) },
  'heartbeat-value': { id: 3, schema: schemaText(schemas.Heartbeat) },
});
const transfer = {
  id: uuidToBytes('123e4567-e89b-12d3-a456-426614174000'),
  token: 'cash',
  amount: 1_000n,
  from: 'cash',
  to: 'NL66OPEN0000000000',
  description: 'deposit',
};

describe('Codec', () => {
  it('writes the Confluent wire format: magic 0, big-endian schema id, Avro body', async () => {
    const codec = new Codec(registry, topology);
    await codec.prepare(['confirmMoneyTransfer']);
    const bytes = codec.encode('confirmMoneyTransfer', transfer);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(7);
    expect(bytes.subarray(5)).toEqual(avroType(schemas.ConfirmMoneyTransfer).toBuffer(transfer));
    expect(await codec.decode('confirmMoneyTransfer', bytes)).toEqual(transfer);
  });

  it('fails loudly when the schema is not registered, and never registers it', async () => {
    const codec = new Codec(registry, topology);
    await expect(codec.prepare(['balanceChanged'])).rejects.toBeInstanceOf(SchemaNotRegisteredError);
    expect(() => codec.encode('balanceChanged', {} as never)).toThrow(/not prepared/);
  });

  it('names the invalid field when a value does not fit', async () => {
    const codec = new Codec(registry, topology);
    await codec.prepare(['confirmMoneyTransfer']);
    expect(() =>
      codec.encode('confirmMoneyTransfer', { ...transfer, amount: 5 as unknown as bigint }),
    ).toThrow(/amount=5/);
  });

  it('sets aside bad messages one by one and decodes the rest of the batch', async () => {
    const codec = new Codec(registry, topology);
    await codec.prepare(['confirmMoneyTransfer', 'heartbeat']);
    const good = codec.encode('confirmMoneyTransfer', transfer);
    const wrongMagic = Buffer.from(good);
    wrongMagic[0] = 1;
    const unknownId = Buffer.from(good);
    unknownId.writeUInt32BE(99, 1);
    const truncated = good.subarray(0, good.length - 3);
    const otherRecord = codec.encode('heartbeat', { beat: 5n });
    const results = await codec.decodeAll('confirmMoneyTransfer', [
      good,
      wrongMagic,
      unknownId,
      truncated,
      Buffer.from('hi'),
      null,
      otherRecord,
      good,
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false, false, false, false, false, true]);
    for (const r of results) if (!r.ok) expect(r.error).toBeInstanceOf(DecodeError);
    expect(results[1]).toMatchObject({ error: { message: /magic byte 1/ } });
    expect(results[2]).toMatchObject({ error: { message: /schema id 99 is unknown/ } });
    expect(results[6]).toMatchObject({ error: { message: /cannot be read as/ } });
  });
});
