import { describe, expect, it } from 'vitest';
import { compatibilityProblems, parseAvroSchema } from './avro.ts';
import { InvalidSchemaError } from './errors.ts';

const record = (fields: object[]) => JSON.stringify({ type: 'record', name: 'R', namespace: 'n', fields });
const v1 = parseAvroSchema(record([{ name: 'a', type: 'string' }]));
const withDefault = parseAvroSchema(
  record([
    { name: 'a', type: 'string' },
    { name: 'b', type: 'long', default: 0 },
  ]),
);
const withoutDefault = parseAvroSchema(
  record([
    { name: 'a', type: 'string' },
    { name: 'b', type: 'long' },
  ]),
);
const dropped = parseAvroSchema(record([]));

const prev = (...schemas: (typeof v1)[]) => schemas.map((schema, i) => ({ version: i + 1, schema }));

describe('parseAvroSchema', () => {
  it('canonicalises to JSON without whitespace', () => {
    expect(parseAvroSchema('{ "type" : "record", "name": "R",\n "fields": [ ] }').canonical).toBe(
      '{"type":"record","name":"R","fields":[]}',
    );
    expect(parseAvroSchema(' "string" ').canonical).toBe('"string"');
  });

  it('rejects text that is not an Avro schema', () => {
    expect(() => parseAvroSchema('{"type":"record"')).toThrow(InvalidSchemaError);
    expect(() => parseAvroSchema('{"type":"recrod","name":"R","fields":[]}')).toThrow(InvalidSchemaError);
    expect(() => parseAvroSchema('"NoSuchType"')).toThrow(InvalidSchemaError);
    expect(() => parseAvroSchema('')).toThrow(/Empty schema/);
    expect(() => parseAvroSchema(record([{ name: 'a', type: 'long', default: 'not a number' }]))).toThrow(
      InvalidSchemaError,
    );
  });

  it('lets two schemas define the same named type independently', () => {
    const a = parseAvroSchema(JSON.stringify({ type: 'fixed', name: 'Uuid', size: 16 }));
    const b = parseAvroSchema(JSON.stringify({ type: 'fixed', name: 'Uuid', size: 8 }));
    expect(a.type).not.toBe(b.type);
  });
});

describe('compatibilityProblems', () => {
  it('BACKWARD: a new field needs a default, removing a field is fine', () => {
    expect(compatibilityProblems('BACKWARD', withDefault, prev(v1))).toEqual([]);
    expect(compatibilityProblems('BACKWARD', withoutDefault, prev(v1)).length).toBeGreaterThan(0);
    expect(compatibilityProblems('BACKWARD', dropped, prev(v1))).toEqual([]);
  });

  it('FORWARD: old readers must read new data, so removing a field without default breaks it', () => {
    expect(compatibilityProblems('FORWARD', dropped, prev(v1)).length).toBeGreaterThan(0);
    expect(compatibilityProblems('FORWARD', withoutDefault, prev(v1))).toEqual([]);
  });

  it('FULL needs both directions', () => {
    expect(compatibilityProblems('FULL', withDefault, prev(v1))).toEqual([]);
    expect(compatibilityProblems('FULL', withoutDefault, prev(v1)).length).toBeGreaterThan(0);
    expect(compatibilityProblems('FULL', dropped, prev(v1)).length).toBeGreaterThan(0);
  });

  it('non-transitive levels compare with the latest version only, transitive ones with all', () => {
    // v1 (a) -> dropped () -> withoutDefault (a, b): b without default cannot be read from v1 data.
    const history = prev(v1, dropped);
    expect(compatibilityProblems('BACKWARD', withoutDefault, history).length).toBeGreaterThan(0);
    const fromDropped = parseAvroSchema(record([{ name: 'a', type: 'string', default: '' }]));
    expect(compatibilityProblems('BACKWARD', fromDropped, history)).toEqual([]);
    const stringToInt = parseAvroSchema(record([{ name: 'a', type: 'int', default: 0 }]));
    expect(compatibilityProblems('BACKWARD', stringToInt, prev(dropped))).toEqual([]);
    expect(compatibilityProblems('BACKWARD', stringToInt, history)).toEqual([]);
    const problems = compatibilityProblems('BACKWARD_TRANSITIVE', stringToInt, history);
    expect(problems).toContain('{oldSchemaVersion: 1}');
    expect(problems.at(-1)).toBe("{compatibility: 'BACKWARD_TRANSITIVE'}");
  });

  it('NONE accepts anything, and a first version is always compatible', () => {
    expect(compatibilityProblems('NONE', parseAvroSchema('"int"'), prev(v1))).toEqual([]);
    expect(compatibilityProblems('FULL_TRANSITIVE', parseAvroSchema('"int"'), [])).toEqual([]);
  });
});
