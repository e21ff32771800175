import { compatibilityProblems, type ParsedSchema, parseAvroSchema } from './avro.ts';
import { ApiError, apiErrors, InvalidSchemaError, SchemaRegistryError } from './errors.ts';
import { type LogRecord, parseCompatibilityLevel } from './records.ts';
import { matchRoute } from './router.ts';
import type { RegistryState, VersionEntry } from './state.ts';

export interface ApiRequest {
  readonly method: string;
  /** Path as received, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Parsed JSON body, undefined when there was none. */
  readonly body: unknown;
}

export type ApiResponse = { status: number; json: unknown } | { status: number; text: string };

/** Makes records durable (the Kafka topic in production); must throw if they were not acknowledged. */
export type Persist = (records: readonly LogRecord[]) => Promise<void>;

export interface Api {
  handle(request: ApiRequest): Promise<ApiResponse>;
}

const MAX_VERSION = 2 ** 31 - 1;

type VersionId = number | 'latest';

function parseVersionId(raw: string): VersionId {
  if (raw === 'latest') return 'latest';
  if (/^-?\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === -1) return 'latest';
    if (n >= 1 && n <= MAX_VERSION) return n;
  }
  throw apiErrors.invalidVersion(raw);
}

function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function parseSchemaId(raw: string): number {
  // Confluent's path parameter is an int: anything else does not match the route.
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_VERSION) throw apiErrors.notFound();
  return Number(raw);
}

/** The `schema` of a register/lookup/compatibility body, parsed; 42201 for anything that is not valid Avro. */
function schemaFromBody(body: unknown): ParsedSchema {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw apiErrors.invalidSchema('Empty schema');
  const b = body as Record<string, unknown>;
  if (b.schemaType !== undefined && b.schemaType !== null && b.schemaType !== 'AVRO') {
    throw apiErrors.invalidSchema(`Invalid schema type ${String(b.schemaType)}: only AVRO is supported`);
  }
  if (Array.isArray(b.references) && b.references.length > 0) {
    throw apiErrors.invalidSchema('Schema references are not supported');
  }
  if (typeof b.schema !== 'string') throw apiErrors.invalidSchema('Empty schema');
  try {
    return parseAvroSchema(b.schema);
  } catch (e) {
    if (e instanceof InvalidSchemaError) throw apiErrors.invalidSchema(e.message);
    throw e;
  }
}

function stored(entry: VersionEntry): ParsedSchema {
  return parseAvroSchema(entry.schema);
}

function schemaJson(entry: VersionEntry) {
  return { subject: entry.subject, version: entry.version, id: entry.id, schema: entry.schema };
}

const ok = (json: unknown): ApiResponse => ({ status: 200, json });

function errorResponse(error: ApiError): ApiResponse {
  return { status: error.status, json: { error_code: error.errorCode, message: error.message } };
}

function tombstone(entry: VersionEntry): LogRecord {
  return { type: 'SCHEMA', subject: entry.subject, version: entry.version, value: null };
}

/**
 * The REST API over a RegistryState. Writes are planned against the state, made durable with
 * `persist`, and only then applied, one at a time: this process is the only writer of the storage
 * topic (a single registry instance per topic is assumed), so the state it holds is the truth.
 */
export function createApi(state: RegistryState, persist: Persist): Api {
  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  }

  async function commit(records: readonly LogRecord[]): Promise<void> {
    try {
      await persist(records);
    } catch (e) {
      throw apiErrors.store(`Error while writing to the Kafka store: ${(e as Error).message}`);
    }
    for (const r of records) state.apply(r);
  }

  function register(subject: string, body: unknown): Promise<ApiResponse> {
    const candidate = schemaFromBody(body);
    const known = state.findInSubject(subject, candidate.canonical);
    if (known) return Promise.resolve(ok({ id: known.id }));
    return exclusive(async () => {
      const again = state.findInSubject(subject, candidate.canonical);
      if (again) return ok({ id: again.id });
      const all = state.versions(subject, { includeDeleted: true });
      const live = all.filter((e) => !e.deleted);
      const level = state.effectiveLevel(subject);
      const problems = compatibilityProblems(
        level,
        candidate,
        live.map((e) => ({ version: e.version, schema: stored(e) })),
      );
      if (problems.length > 0) {
        throw apiErrors.incompatibleSchema(
          `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${problems.join(', ')}]`,
        );
      }
      const version = (all.at(-1)?.version ?? 0) + 1;
      const id = state.idForSchema(candidate.canonical) ?? state.nextId();
      // Like Confluent: a soft-deleted version of the same schema makes way for the new one.
      const records: LogRecord[] = all.filter((e) => e.deleted && e.id === id).map(tombstone);
      records.push({
        type: 'SCHEMA',
        subject,
        version,
        value: { subject, version, id, schema: candidate.canonical, deleted: false },
      });
      await commit(records);
      return ok({ id });
    });
  }

  function lookup(subject: string, body: unknown, includeDeleted: boolean): ApiResponse {
    const candidate = schemaFromBody(body);
    const entry = state.findInSubject(subject, candidate.canonical, { includeDeleted });
    if (!entry) {
      if (!state.hasSubject(subject, { includeDeleted })) throw apiErrors.subjectNotFound(subject);
      throw apiErrors.schemaNotFound();
    }
    return ok(schemaJson(entry));
  }

  function getVersion(subject: string, rawVersion: string, includeDeleted: boolean): VersionEntry {
    const versionId = parseVersionId(rawVersion);
    const filter = { includeDeleted };
    const candidate =
      versionId === 'latest' ? state.latest(subject, filter) : state.version(subject, versionId);
    const entry = candidate && (includeDeleted || !candidate.deleted) ? candidate : undefined;
    if (!entry) {
      if (!state.hasSubject(subject, filter)) throw apiErrors.subjectNotFound(subject);
      throw apiErrors.versionNotFound(versionId === 'latest' ? -1 : versionId);
    }
    return entry;
  }

  function deleteVersion(subject: string, rawVersion: string, permanent: boolean): Promise<ApiResponse> {
    const versionId = parseVersionId(rawVersion);
    return exclusive(async () => {
      const entry =
        versionId === 'latest'
          ? ((permanent ? undefined : state.latest(subject)) ??
            state.latest(subject, { includeDeleted: true }))
          : state.version(subject, versionId);
      if (!entry) {
        if (!state.hasSubject(subject, { includeDeleted: true })) throw apiErrors.subjectNotFound(subject);
        throw apiErrors.versionNotFound(versionId === 'latest' ? -1 : versionId);
      }
      if (!permanent && entry.deleted) throw apiErrors.versionSoftDeleted(subject, entry.version);
      if (permanent && !entry.deleted) throw apiErrors.versionNotSoftDeleted(subject, entry.version);
      const records: LogRecord[] = [];
      if (permanent) {
        records.push(tombstone(entry));
      } else {
        records.push({ type: 'SCHEMA', subject, version: entry.version, value: { ...entry, deleted: true } });
        const othersLive = state.versions(subject).some((e) => e.version !== entry.version);
        // The last live version gone: the subject's own compatibility level goes with it, as in Confluent.
        if (!othersLive && state.subjectLevel(subject) !== undefined) {
          records.push({ type: 'CONFIG', subject, value: null });
        }
      }
      await commit(records);
      return ok(entry.version);
    });
  }

  function deleteSubject(subject: string, permanent: boolean): Promise<ApiResponse> {
    return exclusive(async () => {
      const all = state.versions(subject, { includeDeleted: true });
      if (all.length === 0) throw apiErrors.subjectNotFound(subject);
      const live = all.filter((e) => !e.deleted);
      if (permanent) {
        if (live.length > 0) throw apiErrors.subjectNotSoftDeleted(subject);
        await commit(all.map(tombstone));
        return ok(all.map((e) => e.version));
      }
      const latest = live.at(-1);
      if (!latest) throw apiErrors.subjectSoftDeleted(subject);
      const records: LogRecord[] = [
        { type: 'DELETE_SUBJECT', subject, value: { subject, version: latest.version } },
      ];
      if (state.subjectLevel(subject) !== undefined) records.push({ type: 'CONFIG', subject, value: null });
      await commit(records);
      return ok(live.map((e) => e.version));
    });
  }

  function putConfig(subject: string | null, body: unknown): Promise<ApiResponse> {
    const raw =
      typeof body === 'object' && body !== null ? (body as Record<string, unknown>).compatibility : undefined;
    const level = parseCompatibilityLevel(raw);
    if (!level) throw apiErrors.invalidCompatibilityLevel();
    return exclusive(async () => {
      await commit([{ type: 'CONFIG', subject, value: { compatibilityLevel: level } }]);
      return ok({ compatibility: level });
    });
  }

  function checkCompatibility(
    subject: string,
    rawVersion: string | undefined,
    body: unknown,
    verbose: boolean,
  ): ApiResponse {
    const candidate = schemaFromBody(body);
    const versionId = rawVersion === undefined ? 'latest' : parseVersionId(rawVersion);
    let previous: VersionEntry[];
    if (versionId === 'latest') {
      // Nothing registered yet: anything is compatible (the level decides how many versions count).
      previous = state.versions(subject);
    } else {
      const entry = state.version(subject, versionId);
      if (!entry || entry.deleted) {
        if (!state.hasSubject(subject)) throw apiErrors.subjectNotFound(subject);
        throw apiErrors.versionNotFound(versionId);
      }
      previous = [entry];
    }
    const problems = compatibilityProblems(
      state.effectiveLevel(subject),
      candidate,
      previous.map((e) => ({ version: e.version, schema: stored(e) })),
    );
    const result: { is_compatible: boolean; messages?: string[] } = { is_compatible: problems.length === 0 };
    if (verbose) result.messages = problems;
    return ok(result);
  }

  async function dispatch(request: ApiRequest): Promise<ApiResponse> {
    const match = matchRoute(request.method, request.path);
    if (match.kind === 'notFound') throw apiErrors.notFound();
    if (match.kind === 'methodNotAllowed') throw apiErrors.methodNotAllowed();
    const { query, body } = request;
    const subject = match.params.subject ?? '';
    const version = match.params.version ?? '';
    switch (match.name) {
      case 'root':
        return ok({});
      case 'schemaTypes':
        return ok(['AVRO']);
      case 'schemaById':
      case 'schemaByIdText': {
        const id = parseSchemaId(match.params.id ?? '');
        const schema = state.schemaById(id);
        if (schema === undefined) throw apiErrors.schemaNotFound(id);
        return match.name === 'schemaById' ? ok({ schema }) : { status: 200, text: schema };
      }
      case 'schemaByIdVersions':
      case 'schemaByIdSubjects': {
        const id = parseSchemaId(match.params.id ?? '');
        if (state.schemaById(id) === undefined) throw apiErrors.schemaNotFound(id);
        const uses = state.usesOfId(id, { includeDeleted: flag(query, 'deleted') });
        if (match.name === 'schemaByIdVersions')
          return ok(uses.map((e) => ({ subject: e.subject, version: e.version })));
        return ok([...new Set(uses.map((e) => e.subject))]);
      }
      case 'listSubjects': {
        const prefix = query.get('subjectPrefix') ?? '';
        const names = state.subjectNames({ includeDeleted: flag(query, 'deleted') });
        return ok(prefix === '' ? names : names.filter((n) => n.startsWith(prefix)));
      }
      case 'listVersions': {
        const filter = { includeDeleted: flag(query, 'deleted'), deletedOnly: flag(query, 'deletedOnly') };
        if (!state.hasSubject(subject, { includeDeleted: filter.includeDeleted || filter.deletedOnly })) {
          throw apiErrors.subjectNotFound(subject);
        }
        return ok(state.versions(subject, filter).map((e) => e.version));
      }
      case 'register':
        return register(subject, body);
      case 'getVersion':
        return ok(schemaJson(getVersion(subject, version, flag(query, 'deleted'))));
      case 'getVersionSchema':
        return { status: 200, text: getVersion(subject, version, flag(query, 'deleted')).schema };
      case 'deleteVersion':
        return deleteVersion(subject, version, flag(query, 'permanent'));
      case 'lookup':
        return lookup(subject, body, flag(query, 'deleted'));
      case 'deleteSubject':
        return deleteSubject(subject, flag(query, 'permanent'));
      case 'getGlobalConfig':
        return ok({ compatibilityLevel: state.globalCompatibility() });
      case 'putGlobalConfig':
        return putConfig(null, body);
      case 'getSubjectConfig': {
        const level =
          state.subjectLevel(subject) ??
          (flag(query, 'defaultToGlobal') ? state.globalCompatibility() : undefined);
        if (!level) throw apiErrors.subjectCompatibilityNotConfigured(subject);
        return ok({ compatibilityLevel: level });
      }
      case 'putSubjectConfig':
        return putConfig(subject, body);
      case 'deleteSubjectConfig': {
        return exclusive(async () => {
          const level = state.subjectLevel(subject);
          if (!level) throw apiErrors.subjectNotFound(subject);
          await commit([{ type: 'CONFIG', subject, value: null }]);
          return ok({ compatibilityLevel: level });
        });
      }
      case 'checkCompatibility':
        return checkCompatibility(subject, version, body, flag(query, 'verbose'));
      case 'checkCompatibilityAll':
        return checkCompatibility(subject, undefined, body, flag(query, 'verbose'));
    }
  }

  return {
    async handle(request) {
      try {
        return await dispatch(request);
      } catch (e) {
        if (e instanceof ApiError) return errorResponse(e);
        if (e instanceof InvalidSchemaError) return errorResponse(apiErrors.invalidSchema(e.message));
        const message = e instanceof SchemaRegistryError || e instanceof Error ? e.message : String(e);
        return errorResponse(new ApiError('INTERNAL', 500, 500, `Internal Server Error: ${message}`));
      }
    },
  };
}
