/**
 * The records of the storage topic, in the JSON layout of Confluent's registry (keys keep Confluent's
 * field order, so a key written twice is byte-identical and log compaction keeps only the latest).
 */

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export function parseCompatibilityLevel(raw: unknown): CompatibilityLevel | undefined {
  if (typeof raw !== 'string') return undefined;
  const upper = raw.toUpperCase();
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(upper)
    ? (upper as CompatibilityLevel)
    : undefined;
}

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schema: string;
  deleted: boolean;
}

export type LogRecord =
  /** A version of a subject; value null is a permanent delete (tombstone). */
  | { type: 'SCHEMA'; subject: string; version: number; value: SchemaValue | null }
  /** Compatibility level of a subject, or the global one when subject is null; value null removes it. */
  | { type: 'CONFIG'; subject: string | null; value: { compatibilityLevel: CompatibilityLevel } | null }
  /** Soft delete of every version of a subject up to and including `version`. */
  | { type: 'DELETE_SUBJECT'; subject: string; value: { subject: string; version: number } | null }
  /** Written to learn the log end offset; carries no state. */
  | { type: 'NOOP' };

export interface RawRecord {
  key: string;
  value: string | null;
}

export function encodeRecord(record: LogRecord): RawRecord {
  switch (record.type) {
    case 'SCHEMA':
      return {
        key: JSON.stringify({
          keytype: 'SCHEMA',
          subject: record.subject,
          version: record.version,
          magic: 1,
        }),
        value:
          record.value === null
            ? null
            : JSON.stringify({
                subject: record.value.subject,
                version: record.value.version,
                id: record.value.id,
                schema: record.value.schema,
                deleted: record.value.deleted,
              }),
      };
    case 'CONFIG':
      return {
        key: JSON.stringify({ keytype: 'CONFIG', subject: record.subject, magic: 0 }),
        value:
          record.value === null
            ? null
            : JSON.stringify({ compatibilityLevel: record.value.compatibilityLevel }),
      };
    case 'DELETE_SUBJECT':
      return {
        key: JSON.stringify({ keytype: 'DELETE_SUBJECT', subject: record.subject, magic: 0 }),
        value:
          record.value === null
            ? null
            : JSON.stringify({ subject: record.value.subject, version: record.value.version }),
      };
    case 'NOOP':
      return { key: JSON.stringify({ keytype: 'NOOP', magic: 0 }), value: null };
  }
}

export type DecodeResult =
  | { ok: true; record: LogRecord }
  /** A record type this registry does not use (e.g. Confluent's MODE or CONTEXT): skipped. */
  | { ok: false; ignored: true; keytype: string }
  | { ok: false; ignored: false; reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isVersion(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

export function decodeRecord(key: string, value: string | null): DecodeResult {
  let k: unknown;
  let v: unknown = null;
  try {
    k = JSON.parse(key);
    if (value !== null) v = JSON.parse(value);
  } catch (e) {
    return { ok: false, ignored: false, reason: `not JSON: ${(e as Error).message}` };
  }
  if (!isObject(k) || typeof k.keytype !== 'string') {
    return { ok: false, ignored: false, reason: 'key has no keytype' };
  }
  switch (k.keytype) {
    case 'SCHEMA': {
      if (typeof k.subject !== 'string' || !isVersion(k.version)) {
        return { ok: false, ignored: false, reason: 'SCHEMA key without subject and version' };
      }
      if (v === null)
        return { ok: true, record: { type: 'SCHEMA', subject: k.subject, version: k.version, value: null } };
      if (
        !isObject(v) ||
        typeof v.schema !== 'string' ||
        typeof v.id !== 'number' ||
        !Number.isInteger(v.id) ||
        v.subject !== k.subject ||
        v.version !== k.version
      ) {
        return { ok: false, ignored: false, reason: 'SCHEMA value does not match its key' };
      }
      if (v.schemaType !== undefined && v.schemaType !== 'AVRO') {
        return { ok: false, ignored: true, keytype: `SCHEMA(${String(v.schemaType)})` };
      }
      return {
        ok: true,
        record: {
          type: 'SCHEMA',
          subject: k.subject,
          version: k.version,
          value: {
            subject: k.subject,
            version: k.version,
            id: v.id,
            schema: v.schema,
            deleted: v.deleted === true,
          },
        },
      };
    }
    case 'CONFIG': {
      const subject = k.subject === undefined ? null : k.subject;
      if (subject !== null && typeof subject !== 'string') {
        return { ok: false, ignored: false, reason: 'CONFIG key with a non-string subject' };
      }
      if (v === null) return { ok: true, record: { type: 'CONFIG', subject, value: null } };
      const level = isObject(v) ? parseCompatibilityLevel(v.compatibilityLevel) : undefined;
      if (level === undefined)
        return { ok: false, ignored: false, reason: 'CONFIG value without a valid level' };
      return { ok: true, record: { type: 'CONFIG', subject, value: { compatibilityLevel: level } } };
    }
    case 'DELETE_SUBJECT': {
      if (typeof k.subject !== 'string')
        return { ok: false, ignored: false, reason: 'DELETE_SUBJECT key without subject' };
      if (v === null)
        return { ok: true, record: { type: 'DELETE_SUBJECT', subject: k.subject, value: null } };
      if (!isObject(v) || !isVersion(v.version)) {
        return { ok: false, ignored: false, reason: 'DELETE_SUBJECT value without version' };
      }
      return {
        ok: true,
        record: {
          type: 'DELETE_SUBJECT',
          subject: k.subject,
          value: { subject: k.subject, version: v.version },
        },
      };
    }
    case 'NOOP':
      return { ok: true, record: { type: 'NOOP' } };
    default:
      return { ok: false, ignored: true, keytype: k.keytype };
  }
}
