import avro, { type Schema, type Type } from 'avsc';

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

// Amounts reach 10^17 cents, past 2^53, so Avro longs are read and written as BigInt, never as a number.
const BigIntLongType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (json: unknown) => BigInt(json as string | number),
  toJSON: (n: bigint) =>
    n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString(),
  isValid: (n: unknown) => typeof n === 'bigint' && n >= MIN_LONG && n <= MAX_LONG,
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * avsc options that map every `long` to BigInt. A type hook rather than a shared `registry` option,
 * because a shared registry would make the second schema that defines `Uuid` a duplicate name.
 */
export const avroOptions = {
  typeHook: (schema: Schema): Type | undefined => {
    if (schema === 'long' || (typeof schema === 'object' && (schema as { type?: unknown }).type === 'long')) {
      return BigIntLongType;
    }
    return undefined;
  },
};

export function avroType(schema: Schema): Type {
  return avro.Type.forSchema(schema, { ...avroOptions });
}

/** The canonical text of a schema as registered: compact JSON, the form the registry compares. */
export function schemaText(schema: Schema): string {
  return JSON.stringify(schema);
}
