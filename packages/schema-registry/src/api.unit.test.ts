import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiResponse, createApi } from './api.ts';
import type { LogRecord } from './records.ts';
import { RegistryState } from './state.ts';

const rec = (name: string, fields: object[]) => JSON.stringify({ type: 'record', name, fields });
const V1 = rec('User', [{ name: 'name', type: 'string' }]);
const V2 = rec('User', [
  { name: 'name', type: 'string' },
  { name: 'age', type: 'int', default: 0 },
]);
const BREAKING = rec('User', [
  { name: 'name', type: 'string' },
  { name: 'email', type: 'string' },
]);

/** An API whose log is an array, so a "restart" is replaying that array into a fresh state. */
function harness() {
  const log: LogRecord[] = [];
  let failWrites = false;
  const make = () => {
    const state = new RegistryState();
    for (const r of log) state.apply(r);
    return createApi(state, async (records) => {
      if (failWrites) throw new Error('broker down');
      log.push(...records);
    });
  };
  let api = make();
  const call = async (method: string, url: string, body?: unknown): Promise<ApiResponse> => {
    const u = new URL(url, 'http://x');
    return api.handle({ method, path: u.pathname, query: u.searchParams, body });
  };
  return {
    log,
    call,
    json: async (method: string, url: string, body?: unknown) => {
      const r = await call(method, url, body);
      return { status: r.status, body: 'json' in r ? r.json : r.text };
    },
    restart: () => {
      api = make();
    },
    failWrites: (v: boolean) => {
      failWrites = v;
    },
  };
}

let h: ReturnType<typeof harness>;
beforeEach(() => {
  h = harness();
});

describe('registering', () => {
  it('gives global ids: same schema, same id across subjects; same subject twice adds no version', async () => {
    expect(await h.json('POST', '/subjects/a-value/versions', { schema: V1 })).toEqual({
      status: 200,
      body: { id: 1 },
    });
    expect(await h.json('POST', '/subjects/a-value/versions', { schema: V2 })).toEqual({
      status: 200,
      body: { id: 2 },
    });
    expect(await h.json('POST', '/subjects/b-value/versions', { schema: V1 })).toEqual({
      status: 200,
      body: { id: 1 },
    });
    const logSize = h.log.length;
    // Whitespace does not make a different schema.
    const spaced = JSON.stringify(JSON.parse(V2), null, 2);
    expect(await h.json('POST', '/subjects/a-value/versions', { schema: spaced })).toEqual({
      status: 200,
      body: { id: 2 },
    });
    expect(h.log.length).toBe(logSize);
    expect((await h.json('GET', '/subjects/a-value/versions')).body).toEqual([1, 2]);
    expect((await h.json('GET', '/subjects')).body).toEqual(['a-value', 'b-value']);
  });

  it('stores the canonical form and serves versions, latest, -1 and the bare schema', async () => {
    await h.call('POST', '/subjects/s/versions', { schema: ` ${V1}\n` });
    await h.call('POST', '/subjects/s/versions', { schema: V2 });
    expect((await h.json('GET', '/subjects/s/versions/1')).body).toEqual({
      subject: 's',
      version: 1,
      id: 1,
      schema: V1,
    });
    expect((await h.json('GET', '/subjects/s/versions/latest')).body).toMatchObject({ version: 2, id: 2 });
    expect((await h.json('GET', '/subjects/s/versions/-1')).body).toMatchObject({ version: 2 });
    expect(await h.call('GET', '/subjects/s/versions/2/schema')).toEqual({ status: 200, text: V2 });
    expect((await h.json('GET', '/schemas/ids/2')).body).toEqual({ schema: V2 });
    expect(await h.call('GET', '/schemas/ids/2/schema')).toEqual({ status: 200, text: V2 });
  });

  it('refuses an incompatible schema with 409 and writes nothing', async () => {
    await h.call('POST', '/subjects/s/versions', { schema: V1 });
    const before = h.log.length;
    const r = await h.json('POST', '/subjects/s/versions', { schema: BREAKING });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error_code: 409 });
    expect((r.body as { message: string }).message).toMatch(
      /incompatible with an earlier schema for subject "s"/,
    );
    expect(h.log.length).toBe(before);
    await h.call('PUT', '/config/s', { compatibility: 'NONE' });
    expect(await h.json('POST', '/subjects/s/versions', { schema: BREAKING })).toEqual({
      status: 200,
      body: { id: 2 },
    });
  });

  it('answers 42201 for invalid Avro, other schema types and references', async () => {
    for (const body of [
      { schema: '{"type":"record","name":"X"}' },
      { schema: 'not json' },
      {},
      { schema: '"int"', schemaType: 'PROTOBUF' },
      { schema: '"int"', references: [{ name: 'x', subject: 'y', version: 1 }] },
    ]) {
      const r = await h.json('POST', '/subjects/s/versions', body);
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ error_code: 42201 });
    }
    expect(await h.json('POST', '/subjects/s/versions', { schema: '"int"', schemaType: 'AVRO' })).toEqual({
      status: 200,
      body: { id: 1 },
    });
  });

  it('answers 50001 and keeps the state unchanged when the store does not acknowledge', async () => {
    h.failWrites(true);
    const r = await h.json('POST', '/subjects/s/versions', { schema: V1 });
    expect(r).toMatchObject({ status: 500, body: { error_code: 50001 } });
    h.failWrites(false);
    expect((await h.json('GET', '/subjects')).body).toEqual([]);
    expect(await h.json('POST', '/subjects/s/versions', { schema: V1 })).toEqual({
      status: 200,
      body: { id: 1 },
    });
  });

  it('serialises concurrent registrations so versions and ids stay unique', async () => {
    const schemas = Array.from({ length: 20 }, (_, i) => `{"type":"fixed","name":"F${i}","size":${i + 1}}`);
    await h.call('PUT', '/config', { compatibility: 'NONE' });
    const ids = await Promise.all(
      schemas.map(
        async (schema) =>
          ((await h.json('POST', '/subjects/s/versions', { schema })).body as { id: number }).id,
      ),
    );
    expect(new Set(ids).size).toBe(20);
    expect((await h.json('GET', '/subjects/s/versions')).body).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});

describe('reading', () => {
  beforeEach(async () => {
    await h.call('POST', '/subjects/s/versions', { schema: V1 });
    await h.call('POST', '/subjects/t/versions', { schema: V1 });
  });

  it('answers 40401 for an unknown subject and 40402 for an unknown version', async () => {
    expect(await h.json('GET', '/subjects/nope/versions')).toEqual({
      status: 404,
      body: { error_code: 40401, message: "Subject 'nope' not found." },
    });
    expect((await h.json('GET', '/subjects/nope/versions/latest')).body).toMatchObject({ error_code: 40401 });
    expect(await h.json('GET', '/subjects/s/versions/9')).toEqual({
      status: 404,
      body: { error_code: 40402, message: 'Version 9 not found.' },
    });
  });

  it('answers 42202 for a version that is not a version', async () => {
    for (const v of ['0', '-2', 'abc', '2147483648']) {
      const r = await h.json('GET', `/subjects/s/versions/${v}`);
      expect(r).toMatchObject({ status: 422, body: { error_code: 42202 } });
    }
  });

  it('looks a schema up under a subject', async () => {
    expect(await h.json('POST', '/subjects/s', { schema: V1 })).toEqual({
      status: 200,
      body: { subject: 's', version: 1, id: 1, schema: V1 },
    });
    expect((await h.json('POST', '/subjects/s', { schema: V2 })).body).toMatchObject({ error_code: 40403 });
    expect((await h.json('POST', '/subjects/nope', { schema: V1 })).body).toMatchObject({
      error_code: 40401,
    });
    expect((await h.json('POST', '/subjects/s', { schema: '{' })).body).toMatchObject({ error_code: 42201 });
  });

  it('lists where an id is used, and 40403 for an unknown id', async () => {
    expect((await h.json('GET', '/schemas/ids/1/versions')).body).toEqual([
      { subject: 's', version: 1 },
      { subject: 't', version: 1 },
    ]);
    expect((await h.json('GET', '/schemas/ids/1/subjects')).body).toEqual(['s', 't']);
    expect(await h.json('GET', '/schemas/ids/42')).toEqual({
      status: 404,
      body: { error_code: 40403, message: 'Schema 42 not found' },
    });
    expect((await h.json('GET', '/schemas/ids/abc')).status).toBe(404);
  });

  it('serves the root, the schema types, unknown routes and wrong methods like Confluent', async () => {
    expect(await h.json('GET', '/')).toEqual({ status: 200, body: {} });
    expect(await h.json('GET', '/schemas/types')).toEqual({ status: 200, body: ['AVRO'] });
    expect(await h.json('GET', '/nope')).toEqual({
      status: 404,
      body: { error_code: 404, message: 'HTTP 404 Not Found' },
    });
    expect((await h.json('PATCH', '/subjects')).status).toBe(405);
    expect((await h.json('GET', '/subjects?subjectPrefix=t')).body).toEqual(['t']);
  });
});

describe('configuration', () => {
  it('reads and sets the global level', async () => {
    expect(await h.json('GET', '/config')).toEqual({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });
    expect(await h.json('PUT', '/config', { compatibility: 'full' })).toEqual({
      status: 200,
      body: { compatibility: 'FULL' },
    });
    expect((await h.json('GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
    expect(await h.json('PUT', '/config', { compatibility: 'SOMETIMES' })).toMatchObject({
      status: 422,
      body: { error_code: 42203 },
    });
    expect((await h.json('PUT', '/config', {})).body).toMatchObject({ error_code: 42203 });
  });

  it('reads, sets and deletes a subject level; 40408 when it has none', async () => {
    expect(await h.json('GET', '/config/s')).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect(await h.json('GET', '/config/s?defaultToGlobal=true')).toEqual({
      status: 200,
      body: { compatibilityLevel: 'BACKWARD' },
    });
    expect((await h.json('PUT', '/config/s', { compatibility: 'FORWARD' })).body).toEqual({
      compatibility: 'FORWARD',
    });
    expect((await h.json('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FORWARD' });
    expect(await h.json('DELETE', '/config/s')).toEqual({
      status: 200,
      body: { compatibilityLevel: 'FORWARD' },
    });
    expect((await h.json('DELETE', '/config/s')).body).toMatchObject({ error_code: 40401 });
    expect((await h.json('GET', '/config/s')).status).toBe(404);
  });
});

describe('compatibility check endpoint', () => {
  beforeEach(async () => {
    await h.call('POST', '/subjects/s/versions', { schema: V1 });
  });

  it('checks against latest or a given version, with messages when verbose', async () => {
    expect(await h.json('POST', '/compatibility/subjects/s/versions/latest', { schema: V2 })).toEqual({
      status: 200,
      body: { is_compatible: true },
    });
    expect((await h.json('POST', '/compatibility/subjects/s/versions/1', { schema: BREAKING })).body).toEqual(
      {
        is_compatible: false,
      },
    );
    const verbose = await h.json('POST', '/compatibility/subjects/s/versions/latest?verbose=true', {
      schema: BREAKING,
    });
    const body = verbose.body as { is_compatible: boolean; messages: string[] };
    expect(body.is_compatible).toBe(false);
    expect(body.messages).toContain('{oldSchemaVersion: 1}');
    expect((await h.json('POST', '/compatibility/subjects/s/versions', { schema: V2 })).body).toEqual({
      is_compatible: true,
    });
  });

  it('treats a subject without versions as compatible for latest, 40401/40402 for a given version', async () => {
    expect(
      (await h.json('POST', '/compatibility/subjects/new/versions/latest', { schema: V1 })).body,
    ).toEqual({
      is_compatible: true,
    });
    expect(
      (await h.json('POST', '/compatibility/subjects/new/versions/1', { schema: V1 })).body,
    ).toMatchObject({
      error_code: 40401,
    });
    expect((await h.json('POST', '/compatibility/subjects/s/versions/7', { schema: V1 })).body).toMatchObject(
      {
        error_code: 40402,
      },
    );
    expect(
      (await h.json('POST', '/compatibility/subjects/s/versions/latest', { schema: '{' })).body,
    ).toMatchObject({
      error_code: 42201,
    });
  });
});

describe('deleting', () => {
  beforeEach(async () => {
    await h.call('POST', '/subjects/s/versions', { schema: V1 });
    await h.call('POST', '/subjects/s/versions', { schema: V2 });
  });

  it('soft-deletes a version, then permanently; permanent first is 40407', async () => {
    expect((await h.json('DELETE', '/subjects/s/versions/1?permanent=true')).body).toMatchObject({
      error_code: 40407,
    });
    expect(await h.json('DELETE', '/subjects/s/versions/1')).toEqual({ status: 200, body: 1 });
    expect((await h.json('DELETE', '/subjects/s/versions/1')).body).toMatchObject({ error_code: 40406 });
    expect((await h.json('GET', '/subjects/s/versions')).body).toEqual([2]);
    expect((await h.json('GET', '/subjects/s/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await h.json('GET', '/subjects/s/versions/1')).body).toMatchObject({ error_code: 40402 });
    expect((await h.json('GET', '/subjects/s/versions/1?deleted=true')).body).toMatchObject({ version: 1 });
    // The id stays readable after a soft delete, so old data still decodes.
    expect((await h.json('GET', '/schemas/ids/1')).status).toBe(200);
    expect(await h.json('DELETE', '/subjects/s/versions/1?permanent=true')).toEqual({ status: 200, body: 1 });
    expect((await h.json('GET', '/subjects/s/versions?deleted=true')).body).toEqual([2]);
    expect((await h.json('GET', '/schemas/ids/1')).body).toMatchObject({ error_code: 40403 });
    expect((await h.json('DELETE', '/subjects/s/versions/1')).body).toMatchObject({ error_code: 40402 });
    expect((await h.json('DELETE', '/subjects/nope/versions/1')).body).toMatchObject({ error_code: 40401 });
  });

  it('soft-deletes a subject, then permanently; permanent first is 40405, twice soft is 40404', async () => {
    await h.call('PUT', '/config/s', { compatibility: 'FULL' });
    expect((await h.json('DELETE', '/subjects/s?permanent=true')).body).toMatchObject({ error_code: 40405 });
    expect(await h.json('DELETE', '/subjects/s')).toEqual({ status: 200, body: [1, 2] });
    // Its own compatibility level goes with it.
    expect((await h.json('GET', '/config/s')).body).toMatchObject({ error_code: 40408 });
    expect((await h.json('DELETE', '/subjects/s')).body).toMatchObject({ error_code: 40404 });
    expect((await h.json('GET', '/subjects')).body).toEqual([]);
    expect((await h.json('GET', '/subjects?deleted=true')).body).toEqual(['s']);
    expect((await h.json('GET', '/subjects/s/versions')).body).toMatchObject({ error_code: 40401 });
    expect(await h.json('DELETE', '/subjects/s?permanent=true')).toEqual({ status: 200, body: [1, 2] });
    expect((await h.json('GET', '/subjects?deleted=true')).body).toEqual([]);
    expect((await h.json('DELETE', '/subjects/s')).body).toMatchObject({ error_code: 40401 });
    // Registered again after a permanent delete: versions restart, the schema keeps its id.
    expect(await h.json('POST', '/subjects/s/versions', { schema: V2 })).toEqual({
      status: 200,
      body: { id: 2 },
    });
    expect((await h.json('GET', '/subjects/s/versions')).body).toEqual([1]);
  });

  it('re-registering a soft-deleted schema makes a new version with the same id', async () => {
    await h.call('DELETE', '/subjects/s');
    expect(await h.json('POST', '/subjects/s/versions', { schema: V1 })).toEqual({
      status: 200,
      body: { id: 1 },
    });
    expect((await h.json('GET', '/subjects/s/versions')).body).toEqual([3]);
    expect((await h.json('GET', '/subjects/s/versions?deleted=true')).body).toEqual([2, 3]);
  });
});

describe('restart', () => {
  it('rebuilds the same answers from the log', async () => {
    await h.call('POST', '/subjects/a/versions', { schema: V1 });
    await h.call('POST', '/subjects/a/versions', { schema: V2 });
    await h.call('POST', '/subjects/b/versions', { schema: V2 });
    await h.call('PUT', '/config', { compatibility: 'FORWARD' });
    await h.call('DELETE', '/subjects/b');
    const before = await Promise.all(
      [
        '/subjects?deleted=true',
        '/subjects/a/versions',
        '/schemas/ids/2/versions?deleted=true',
        '/config',
      ].map((p) => h.json('GET', p)),
    );
    h.restart();
    const after = await Promise.all(
      [
        '/subjects?deleted=true',
        '/subjects/a/versions',
        '/schemas/ids/2/versions?deleted=true',
        '/config',
      ].map((p) => h.json('GET', p)),
    );
    expect(after).toEqual(before);
    expect(await h.json('POST', '/subjects/c/versions', { schema: '"string"' })).toEqual({
      status: 200,
      body: { id: 3 },
    });
  });
});
