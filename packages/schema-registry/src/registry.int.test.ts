import { randomUUID } from 'node:crypto';
import { SchemaRegistry as ConfluentClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import { stackEnv } from '@open-bank/stack/testing';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageTopicError, StoreError } from './errors.ts';
import { RESPONSE_CONTENT_TYPE } from './http.ts';
import { encodeRecord } from './records.ts';
import { createSchemaRegistry, type SchemaRegistry } from './registry.ts';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
const brokers = stackEnv().KAFKA_BROKERS.split(',');
const kafka = new Kafka({ clientId: 'schema-registry-int-test', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
// Each file gets its own storage topics, so the stack's own registry (on `_schemas`) is left alone.
const run = randomUUID().slice(0, 8);
const topic = `_schemas_test_${run}`;
const createdTopics: string[] = [topic];

const rec = (name: string, fields: object[]) =>
  JSON.stringify({ type: 'record', name, namespace: 'nl.openweb.test', fields });
const V1 = rec('Account', [{ name: 'iban', type: 'string' }]);
const V2 = rec('Account', [
  { name: 'iban', type: 'string' },
  { name: 'balance', type: 'long', default: 0 },
]);
const BREAKING = rec('Account', [
  { name: 'iban', type: 'string' },
  { name: 'token', type: 'string' },
]);

let registry: SchemaRegistry;
let url: string;

async function startRegistry(storageTopic = topic): Promise<{ registry: SchemaRegistry; url: string }> {
  const r = createSchemaRegistry({ brokers, clientId: 'schema-registry-test', topic: storageTopic, port: 0 });
  const started = await r.start();
  return { registry: r, url: started.url };
}

async function http(method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toBe(RESPONSE_CONTENT_TYPE);
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // A bare schema string endpoint answers raw text that may not be a JSON document.
  }
  return { status: res.status, json, text };
}

beforeAll(async () => {
  await admin.connect();
  ({ registry, url } = await startRegistry());
});

afterAll(async () => {
  await registry?.stop();
  await admin.deleteTopics({ topics: createdTopics }).catch(() => undefined);
  await admin.disconnect();
});

describe('storage topic', () => {
  it('is created compacted with one partition, and holds Confluent-style records', async () => {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(1);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    const subject = `storage-${run}`;
    const { json } = await http('POST', `/subjects/${subject}/versions`, { schema: V1 });
    const id = (json as { id: number }).id;
    const consumer = kafka.consumer({ groupId: `storage-check-${run}` });
    const seen: { key: string; value: string | null }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? null });
          if (message.key?.toString().includes(subject)) resolve();
        },
      });
    });
    await consumer.disconnect();
    await admin.deleteGroups([`storage-check-${run}`]).catch(() => undefined);
    expect(seen).toContainEqual({
      key: `{"keytype":"SCHEMA","subject":"${subject}","version":1,"magic":1}`,
      value: JSON.stringify({ subject, version: 1, id, schema: V1, deleted: false }),
    });
  });
});

describe('through @kafkajs/confluent-schema-registry', () => {
  it('serves its process metrics for Prometheus at /metrics, labelled with its name', async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toMatch(/^process_cpu_seconds_total\{service="schema-registry"\} \d/m);
  });

  it('registers, resolves ids and round-trips data in the Confluent wire format', async () => {
    const client = new ConfluentClient({ host: url });
    const subject = `client-${run}-value`;
    const { id } = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    // register set the subject's level as the client does on first registration
    expect((await http('GET', `/config/${subject}`)).json).toEqual({ compatibilityLevel: 'BACKWARD' });
    const again = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject });
    expect(again.id).toBe(id);
    const { id: id2 } = await client.register({ type: SchemaType.AVRO, schema: V2 }, { subject });
    expect(id2).not.toBe(id);
    await expect(
      client.register({ type: SchemaType.AVRO, schema: BREAKING }, { subject }),
    ).rejects.toMatchObject({
      status: 409,
    });

    // What producers and consumers do: a fresh client that never registered anything.
    const reader = new ConfluentClient({ host: url });
    expect(await reader.getLatestSchemaId(subject)).toBe(id2);
    expect(await reader.getRegistryId(subject, 1)).toBe(id);
    const encoded = await reader.encode(id2, { iban: 'NL66OPEN0000000000', balance: 5 });
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id2);
    const other = new ConfluentClient({ host: url });
    expect(await other.decode(encoded)).toEqual({ iban: 'NL66OPEN0000000000', balance: 5 });
    await expect(reader.getLatestSchemaId(`missing-${run}`)).rejects.toMatchObject({ status: 404 });
  });
});

describe('through raw HTTP', () => {
  const s = `http-${run}-value`;
  const t = `http-other-${run}-value`;

  it('registers with global ids, looks up, lists and reads versions', async () => {
    expect(await http('GET', '/')).toMatchObject({ status: 200, json: {} });
    expect((await http('GET', '/schemas/types')).json).toEqual(['AVRO']);
    const r1 = await http('POST', `/subjects/${s}/versions`, { schema: V1 });
    expect(r1.status).toBe(200);
    const id1 = (r1.json as { id: number }).id;
    const id2 = ((await http('POST', `/subjects/${s}/versions`, { schema: V2 })).json as { id: number }).id;
    expect(id2).toBeGreaterThan(id1);
    expect((await http('POST', `/subjects/${t}/versions`, { schema: V1 })).json).toEqual({ id: id1 });
    expect((await http('POST', `/subjects/${s}/versions`, { schema: V1 })).json).toEqual({ id: id1 });

    expect((await http('GET', `/subjects/${s}/versions`)).json).toEqual([1, 2]);
    expect((await http('GET', `/subjects/${s}/versions/latest`)).json).toEqual({
      subject: s,
      version: 2,
      id: id2,
      schema: V2,
    });
    expect((await http('GET', `/subjects/${s}/versions/1`)).json).toMatchObject({ version: 1, id: id1 });
    expect((await http('GET', `/subjects/${s}/versions/2/schema`)).text).toBe(V2);
    expect((await http('POST', `/subjects/${s}`, { schema: V2 })).json).toEqual({
      subject: s,
      version: 2,
      id: id2,
      schema: V2,
    });
    expect((await http('GET', `/schemas/ids/${id1}`)).json).toEqual({ schema: V1 });
    expect((await http('GET', `/schemas/ids/${id1}/versions`)).json).toEqual(
      expect.arrayContaining([
        { subject: s, version: 1 },
        { subject: t, version: 1 },
      ]),
    );
    const subjects = (await http('GET', '/subjects')).json as string[];
    expect(subjects).toEqual(expect.arrayContaining([s, t]));
  });

  it('answers 409 for an incompatible schema and 404/40401 for an unknown subject', async () => {
    const conflict = await http('POST', `/subjects/${s}/versions`, { schema: BREAKING });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ error_code: 409 });
    const missing = await http('GET', `/subjects/nope-${run}/versions`);
    expect(missing).toMatchObject({ status: 404, json: { error_code: 40401 } });
    expect((await http('POST', `/subjects/${s}/versions`, { schema: '{"type":' })).json).toMatchObject({
      error_code: 42201,
    });
  });

  it('reads and changes compatibility levels, and checks compatibility', async () => {
    expect((await http('GET', '/config')).json).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await http('GET', `/config/${s}`)).json).toMatchObject({ error_code: 40408 });
    expect((await http('GET', `/config/${s}?defaultToGlobal=true`)).json).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
    expect(
      (await http('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: BREAKING })).json,
    ).toEqual({ is_compatible: false });
    const verbose = await http('POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, {
      schema: BREAKING,
    });
    expect((verbose.json as { messages: string[] }).messages.length).toBeGreaterThan(0);
    expect((await http('PUT', `/config/${s}`, { compatibility: 'NONE' })).json).toEqual({
      compatibility: 'NONE',
    });
    expect(
      (await http('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: BREAKING })).json,
    ).toEqual({ is_compatible: true });
    expect((await http('DELETE', `/config/${s}`)).json).toEqual({ compatibilityLevel: 'NONE' });
    expect((await http('PUT', '/config', { compatibility: 'bogus' })).json).toMatchObject({
      error_code: 42203,
    });
  });

  it('deletes versions and subjects, soft then permanent', async () => {
    expect((await http('DELETE', `/subjects/${s}/versions/1?permanent=true`)).json).toMatchObject({
      error_code: 40407,
    });
    expect((await http('DELETE', `/subjects/${s}/versions/1`)).json).toBe(1);
    expect((await http('GET', `/subjects/${s}/versions`)).json).toEqual([2]);
    expect((await http('DELETE', `/subjects/${s}/versions/1?permanent=true`)).json).toBe(1);
    expect((await http('GET', `/subjects/${s}/versions?deleted=true`)).json).toEqual([2]);

    expect((await http('DELETE', `/subjects/${t}?permanent=true`)).json).toMatchObject({ error_code: 40405 });
    expect((await http('DELETE', `/subjects/${t}`)).json).toEqual([1]);
    expect((await http('GET', '/subjects')).json).not.toContain(t);
    expect((await http('GET', '/subjects?deleted=true')).json).toContain(t);
    expect((await http('DELETE', `/subjects/${t}?permanent=true`)).json).toEqual([1]);
    expect((await http('GET', '/subjects?deleted=true')).json).not.toContain(t);
  });

  it('serves the same state and ids from a new instance on the same topic', async () => {
    const paths = [
      '/subjects?deleted=true',
      `/subjects/${s}/versions?deleted=true`,
      `/subjects/${s}/versions/latest`,
      `/subjects/client-${run}-value/versions/latest`,
      '/config',
    ];
    const before = await Promise.all(paths.map((p) => http('GET', p)));
    await registry.stop();
    ({ registry, url } = await startRegistry());
    const after = await Promise.all(paths.map((p) => http('GET', p)));
    expect(after.map((r) => r.json)).toEqual(before.map((r) => r.json));
    // New schemas continue after the highest id, never reusing one.
    const ids = before.flatMap((r) =>
      typeof r.json === 'object' && r.json && 'id' in r.json ? [r.json.id] : [],
    );
    const fresh = await http('POST', `/subjects/fresh-${run}/versions`, { schema: '"string"' });
    expect((fresh.json as { id: number }).id).toBeGreaterThan(Math.max(...(ids as number[])));
  });
});

describe('start-up', () => {
  it('loads a topic with many records before serving, and says how long it took', async () => {
    const bigTopic = `_schemas_test_${run}_big`;
    createdTopics.push(bigTopic);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: bigTopic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
    const subjects = 500;
    const versionsPerSubject = 10;
    const producer = kafka.producer();
    await producer.connect();
    let id = 0;
    for (let sub = 0; sub < subjects; sub++) {
      const messages = [];
      for (let v = 1; v <= versionsPerSubject; v++) {
        id++;
        const subject = `load-${sub}`;
        const schema = JSON.stringify({ type: 'fixed', name: `F${id}`, size: v });
        const raw = encodeRecord({
          type: 'SCHEMA',
          subject,
          version: v,
          value: { subject, version: v, id, schema, deleted: false },
        });
        messages.push({ partition: 0, key: raw.key, value: raw.value });
      }
      await producer.send({ topic: bigTopic, acks: -1, messages });
    }
    await producer.disconnect();

    const started = Date.now();
    const big = await startRegistry(bigTopic);
    const ms = Date.now() - started;
    try {
      const res = await fetch(`${big.url}/subjects`);
      expect(((await res.json()) as string[]).length).toBe(subjects);
      const last = await fetch(`${big.url}/schemas/ids/${id}`);
      expect(last.status).toBe(200);
      console.info(`schema-registry start-up with ${subjects * versionsPerSubject} records: ${ms} ms`);
    } finally {
      await big.registry.stop();
    }
  });

  it('refuses a storage topic that is not compacted', async () => {
    const wrongTopic = `_schemas_test_${run}_delete`;
    createdTopics.push(wrongTopic);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: wrongTopic, numPartitions: 1, replicationFactor: 1 }],
    });
    const r = createSchemaRegistry({ brokers, clientId: 'schema-registry-test', topic: wrongTopic, port: 0 });
    await expect(r.start()).rejects.toBeInstanceOf(StorageTopicError);
    await r.stop();
  });

  it('gives up with a StoreError when the topic cannot be read in time', async () => {
    const r = createSchemaRegistry({
      brokers,
      clientId: 'schema-registry-test',
      topic,
      port: 0,
      initTimeoutMs: 1,
    });
    await expect(r.start()).rejects.toBeInstanceOf(StoreError);
    await r.stop();
  });
});
