import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, type LogRecord, parseCompatibilityLevel } from './records.ts';

describe('encodeRecord', () => {
  it("writes keys and values in Confluent's layout", () => {
    expect(
      encodeRecord({
        type: 'SCHEMA',
        subject: 's',
        version: 1,
        value: { subject: 's', version: 1, id: 7, schema: '"string"', deleted: false },
      }),
    ).toEqual({
      key: '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
      value: '{"subject":"s","version":1,"id":7,"schema":"\\"string\\"","deleted":false}',
    });
    expect(encodeRecord({ type: 'CONFIG', subject: null, value: { compatibilityLevel: 'FULL' } })).toEqual({
      key: '{"keytype":"CONFIG","subject":null,"magic":0}',
      value: '{"compatibilityLevel":"FULL"}',
    });
    expect(encodeRecord({ type: 'CONFIG', subject: 'a-value', value: null })).toEqual({
      key: '{"keytype":"CONFIG","subject":"a-value","magic":0}',
      value: null,
    });
    expect(
      encodeRecord({ type: 'DELETE_SUBJECT', subject: 's', value: { subject: 's', version: 3 } }),
    ).toEqual({
      key: '{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}',
      value: '{"subject":"s","version":3}',
    });
    expect(encodeRecord({ type: 'NOOP' })).toEqual({ key: '{"keytype":"NOOP","magic":0}', value: null });
  });
});

describe('decodeRecord', () => {
  const samples: LogRecord[] = [
    {
      type: 'SCHEMA',
      subject: 'x',
      version: 2,
      value: { subject: 'x', version: 2, id: 3, schema: '"int"', deleted: true },
    },
    { type: 'SCHEMA', subject: 'x', version: 2, value: null },
    { type: 'CONFIG', subject: null, value: { compatibilityLevel: 'NONE' } },
    { type: 'CONFIG', subject: 'x', value: null },
    { type: 'DELETE_SUBJECT', subject: 'x', value: { subject: 'x', version: 2 } },
    { type: 'NOOP' },
  ];
  it('reads back what encodeRecord writes', () => {
    for (const record of samples) {
      const raw = encodeRecord(record);
      expect(decodeRecord(raw.key, raw.value)).toEqual({ ok: true, record });
    }
  });

  it('skips record types it does not use, and reports unreadable ones', () => {
    expect(decodeRecord('{"keytype":"MODE","subject":null,"magic":0}', '{"mode":"READWRITE"}')).toEqual({
      ok: false,
      ignored: true,
      keytype: 'MODE',
    });
    expect(decodeRecord('not json', null)).toMatchObject({ ok: false, ignored: false });
    expect(
      decodeRecord(
        '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
        '{"subject":"other","version":1,"id":1,"schema":"x"}',
      ),
    ).toMatchObject({ ok: false, ignored: false });
    expect(
      decodeRecord('{"keytype":"CONFIG","subject":null,"magic":0}', '{"compatibilityLevel":"SOMETIMES"}'),
    ).toMatchObject({ ok: false, ignored: false });
  });

  it('reads a Confluent-written value that omits deleted, and skips non-Avro schemas', () => {
    expect(
      decodeRecord(
        '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
        '{"subject":"s","version":1,"id":1,"schema":"\\"int\\""}',
      ),
    ).toMatchObject({ ok: true, record: { value: { deleted: false } } });
    expect(
      decodeRecord(
        '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}',
        '{"subject":"s","version":1,"id":1,"schemaType":"PROTOBUF","schema":"syntax"}',
      ),
    ).toMatchObject({ ok: false, ignored: true });
  });
});

describe('parseCompatibilityLevel', () => {
  it('accepts any case and refuses unknown levels', () => {
    expect(parseCompatibilityLevel('full_transitive')).toBe('FULL_TRANSITIVE');
    expect(parseCompatibilityLevel('SOMETIMES')).toBeUndefined();
    expect(parseCompatibilityLevel(3)).toBeUndefined();
  });
});
