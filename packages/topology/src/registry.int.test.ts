import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stackEnv } from '@open-bank/stack/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { avroType, schemaText } from './avro.ts';
import { Codec } from './codec.ts';
import { RegistryRequestError, SchemaNotRegisteredError } from './errors.ts';
import { isRegistryNotFound, RegistryClient } from './registry.ts';
import { resolveTopology } from './topics.ts';

const run = randomUUID().slice(0, 8);
const servers: Server[] = [];

/** A local HTTP server answering each request with the next of `answers` (then the last one again). */
async function scripted(
  answers: { status: number; body: unknown }[],
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    const a = answers[Math.min(hits++, answers.length - 1)] ?? { status: 500, body: {} };
    res.writeHead(a.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(JSON.stringify(a.body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('RegistryClient against the stack registry', () => {
  const client = () => new RegistryClient(stackEnv().SCHEMA_REGISTRY_URL);
  const V1 = schemaText({ type: 'record', name: 'Probe', fields: [{ name: 'n', type: 'long' }] });
  const V2 = schemaText({
    type: 'record',
    name: 'Probe',
    fields: [
      { name: 'n', type: 'long' },
      { name: 'note', type: 'string', default: '' },
    ],
  });

  it('registers, finds ids and versions, and reads schemas back by id', async () => {
    const subject = `_registry_client_${run}-value`;
    const registry = client();
    expect(await registry.latest(subject)).toBeUndefined();
    expect(await registry.versionOf(subject, V1)).toBeUndefined();
    const id1 = await registry.register(subject, V1);
    const id2 = await registry.register(subject, V2);
    expect(id2).not.toBe(id1);
    expect(await registry.idOf(subject, V1)).toBe(id1);
    expect(await registry.versionOf(subject, V2)).toBe(2);
    expect(await registry.latest(subject)).toEqual({ schema: V2, version: 2 });
    expect(await registry.listSubjects()).toContain(subject);
    expect(avroType(JSON.parse(await registry.schemaById(id1))).equals(avroType(JSON.parse(V1)))).toBe(true);

    const unknown = await registry.idOf(`_registry_client_${run}-missing`, V1).catch((e: unknown) => e);
    expect(isRegistryNotFound(unknown)).toBe(true);
    expect((unknown as RegistryRequestError).retryable).toBe(false);
    expect((unknown as RegistryRequestError).errorCode).toBe(40401);
  });

  it("gives the codec its writer ids, and SchemaNotRegistered for a topology whose subject isn't there", async () => {
    const topology = resolveTopology({ heartbeat: `_registry_client_${run}_heartbeat` });
    const codec = new Codec(client(), topology);
    await expect(codec.prepare(['heartbeat'])).rejects.toBeInstanceOf(SchemaNotRegisteredError);
  });
});

describe('RegistryClient retries', () => {
  it('asks again after server errors, and gives up on a client error at once', async () => {
    const flaky = await scripted([
      { status: 503, body: { error_code: 50003, message: 'starting' } },
      { status: 500, body: { error_code: 50001, message: 'busy' } },
      { status: 200, body: { id: 42, version: 1, subject: 's', schema: '"long"' } },
    ]);
    expect(await new RegistryClient(flaky.url).idOf('s', '"long"')).toBe(42);
    expect(flaky.hits()).toBe(3);

    const refusing = await scripted([{ status: 409, body: { error_code: 409, message: 'incompatible' } }]);
    const e = await new RegistryClient(refusing.url).register('s', '"long"').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryRequestError);
    expect((e as RegistryRequestError).status).toBe(409);
    expect((e as Error).message).toContain('incompatible');
    expect(refusing.hits()).toBe(1);
  });

  it('reports an unreachable registry as retryable, naming the URL, after its retries', async () => {
    const gone = await scripted([]);
    const url = gone.url;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const t0 = Date.now();
    const e = await new RegistryClient(url).schemaById(1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryRequestError);
    expect((e as RegistryRequestError).retryable).toBe(true);
    expect((e as Error).message).toContain(`${url}/schemas/ids/1`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
  });
});
