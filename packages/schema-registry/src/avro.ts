import * as avscNamespace from 'avsc';
import { InvalidSchemaError } from './errors.ts';
import type { CompatibilityLevel } from './records.ts';

// avsc is CommonJS: under Node's ESM loader its API sits on the default export, while its type
// declarations describe named exports. Take whichever the loader produced.
const avsc: typeof avscNamespace =
  (avscNamespace as unknown as { default?: typeof avscNamespace }).default ?? avscNamespace;

export type AvroType = avscNamespace.Type;

export interface ParsedSchema {
  /** The schema as stored and compared: parsed JSON printed without whitespace. */
  readonly canonical: string;
  readonly type: AvroType;
}

// Stored schemas are parsed again for every compatibility check; parsing dominates the cost of a
// registration, so parsed types are kept by canonical text (bounded, as a safety net only).
const MAX_CACHED = 2_000;
const typeCache = new Map<string, AvroType>();

/** Parses Avro schema text; throws InvalidSchemaError (the API's 42201) when it is not a valid Avro schema. */
export function parseAvroSchema(text: string): ParsedSchema {
  if (text.trim() === '') throw new InvalidSchemaError('Empty schema');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidSchemaError(`Invalid schema: not JSON (${(e as Error).message})`);
  }
  const canonical = JSON.stringify(json);
  const cached = typeCache.get(canonical);
  if (cached) return { canonical, type: cached };
  let type: AvroType;
  try {
    // A fresh registry per schema: named types of one schema must not leak into the next.
    type = avsc.Type.forSchema(json as avscNamespace.Schema, { registry: {} });
  } catch (e) {
    throw new InvalidSchemaError(`Invalid schema: ${(e as Error).message}`);
  }
  if (typeCache.size >= MAX_CACHED) typeCache.clear();
  typeCache.set(canonical, type);
  return { canonical, type };
}

/** Undefined when `reader` can read data written with `writer` (Avro schema resolution), else the reason. */
export function resolutionError(reader: AvroType, writer: AvroType): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export interface PreviousVersion {
  readonly version: number;
  readonly schema: ParsedSchema;
}

/**
 * Checks a new schema against the previous versions of a subject (ascending by version), as the
 * level demands: BACKWARD means the new schema reads what older ones wrote, FORWARD the reverse,
 * FULL both; non-transitive levels look only at the latest previous version.
 * Returns the reasons it is incompatible; empty means compatible.
 */
export function compatibilityProblems(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly PreviousVersion[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const checked = transitive ? [...previous].reverse() : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  for (const old of checked) {
    const reasons: string[] = [];
    if (backward) {
      const err = resolutionError(candidate.type, old.schema.type);
      if (err)
        reasons.push(
          `{errorType:'READER_CANNOT_READ_OLD_WRITER', description:'The new schema cannot read data written with the old schema: ${err}'}`,
        );
    }
    if (forward) {
      const err = resolutionError(old.schema.type, candidate.type);
      if (err)
        reasons.push(
          `{errorType:'OLD_READER_CANNOT_READ_NEW_WRITER', description:'The old schema cannot read data written with the new schema: ${err}'}`,
        );
    }
    if (reasons.length > 0) {
      problems.push(
        ...reasons,
        `{oldSchemaVersion: ${old.version}}`,
        `{oldSchema: '${old.schema.canonical}'}`,
      );
    }
  }
  if (problems.length > 0) problems.push(`{compatibility: '${level}'}`);
  return problems;
}
