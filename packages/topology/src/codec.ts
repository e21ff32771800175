import type { Resolver, Type } from 'avsc';
import { avroType, schemaText } from './avro.ts';
import {
  DecodeError,
  EncodeError,
  RegistryUnavailableError,
  SchemaNotRegisteredError,
  TopologyError,
} from './errors.ts';
import { isRegistryNotFound, RegistryClient, type SchemaLookup } from './registry.ts';
import { keyFor, type RecordOf, type TopicId, type Topology } from './topics.ts';

const MAGIC_BYTE = 0;
const HEADER_SIZE = 5;

export function createRegistry(url: string): RegistryClient {
  return new RegistryClient(url);
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: TopologyError };

interface Reader {
  type: Type;
  /** Null when the writer schema is the reader's own, so no resolution step is needed. */
  resolver: Resolver | null;
}

/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro body) for the topics of
 * a topology. Writer ids are looked up once per topic and never auto-registered; decoding resolves whatever
 * registered schema wrote a message into the topology's schema for that topic, so a record of another type
 * on a topic is refused rather than passed on.
 */
/** What `Codec.record` builds: the shape every Kafka producer of this repo sends. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
}

export class Codec {
  private readonly writerIds = new Map<TopicId, number>();
  private readonly pendingIds = new Map<TopicId, Promise<number>>();
  private readonly ownTypes = new Map<TopicId, Type>();
  private readonly readers = new Map<string, Reader>();

  constructor(
    private readonly registry: SchemaLookup,
    private readonly topology: Topology,
  ) {}

  /** Looks up the schema ids of the topics this process writes, so a missing registration fails at start. */
  async prepare(topics: readonly TopicId[]): Promise<void> {
    await Promise.all(topics.map((t) => this.writerId(t)));
  }

  /** Encodes a record for a topic prepared with `prepare`. Synchronous so batches encode without awaits. */
  encode<T extends TopicId>(topic: T, value: RecordOf<T>): Buffer {
    const id = this.writerIds.get(topic);
    if (id === undefined) {
      throw new TopologyError(
        'NOT_PREPARED',
        `Codec.encode: topic '${topic}' was not prepared; call prepare() first`,
      );
    }
    const type = this.ownType(topic);
    let body: Buffer;
    try {
      body = type.toBuffer(value);
    } catch (e) {
      throw new EncodeError(
        `Invalid ${this.topology[topic].record} for ${topic}: ${explain(type, value)}`,
        e,
      );
    }
    const header = Buffer.allocUnsafe(HEADER_SIZE);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, body]);
  }

  /** An outgoing record: the topic's name, its key by the topic's key rule (`now` for date-time keys), the value. */
  record<T extends TopicId>(topic: T, value: RecordOf<T>, now: Date): OutgoingRecord {
    const t = this.topology[topic];
    return { topic: t.name, key: keyFor(t, value, now), value: this.encode(topic, value) };
  }

  async decode<T extends TopicId>(topic: T, buffer: Buffer | null): Promise<RecordOf<T>> {
    const [result] = await this.decodeAll(topic, [buffer]);
    if (!result) throw new DecodeError('nothing decoded');
    if (!result.ok) throw result.error;
    return result.value;
  }

  /**
   * Decodes a batch: schemas not seen before are fetched once each, then every message decodes without I/O.
   * A message that cannot be decoded yields an error in its slot and does not affect the others.
   */
  async decodeAll<T extends TopicId>(
    topic: T,
    buffers: readonly (Buffer | null)[],
  ): Promise<Decoded<RecordOf<T>>[]> {
    const missing = new Set<number>();
    for (const b of buffers) {
      if (b && b.length >= HEADER_SIZE && b[0] === MAGIC_BYTE) {
        const id = b.readUInt32BE(1);
        if (!this.readers.has(`${topic}:${id}`)) missing.add(id);
      }
    }
    const failures = new Map<number, TopologyError>();
    await Promise.all(
      [...missing].map(async (id) => {
        try {
          await this.loadReader(topic, id);
        } catch (e) {
          failures.set(id, e instanceof TopologyError ? e : new DecodeError(String(e), e));
        }
      }),
    );
    return buffers.map((b) => this.decodeOne(topic, b, failures));
  }

  private decodeOne<T extends TopicId>(
    topic: T,
    buffer: Buffer | null,
    failures: Map<number, TopologyError>,
  ): Decoded<RecordOf<T>> {
    if (!buffer) return { ok: false, error: new DecodeError('message has no value') };
    if (buffer.length < HEADER_SIZE) {
      return {
        ok: false,
        error: new DecodeError(`message of ${buffer.length} bytes is shorter than the wire header`),
      };
    }
    if (buffer[0] !== MAGIC_BYTE) {
      return { ok: false, error: new DecodeError(`unknown magic byte ${buffer[0]}, expected ${MAGIC_BYTE}`) };
    }
    const id = buffer.readUInt32BE(1);
    const failure = failures.get(id);
    if (failure) return { ok: false, error: failure };
    const reader = this.readers.get(`${topic}:${id}`);
    if (!reader) return { ok: false, error: new DecodeError(`schema id ${id} could not be loaded`) };
    try {
      const value = reader.type.fromBuffer(buffer.subarray(HEADER_SIZE), reader.resolver ?? undefined, false);
      return { ok: true, value: value as RecordOf<T> };
    } catch (e) {
      return {
        ok: false,
        error: new DecodeError(`body does not decode with schema id ${id}: ${(e as Error).message}`, e),
      };
    }
  }

  private async loadReader(topic: TopicId, id: number): Promise<void> {
    let text: string;
    try {
      text = await this.registry.schemaById(id);
    } catch (e) {
      if (isRegistryNotFound(e)) throw new DecodeError(`schema id ${id} is unknown to the registry`, e);
      throw new RegistryUnavailableError(`could not fetch schema id ${id}: ${(e as Error).message}`, e);
    }
    let writer: Type;
    try {
      writer = avroType(JSON.parse(text));
    } catch (e) {
      throw new DecodeError(`schema id ${id} is not an Avro schema: ${(e as Error).message}`, e);
    }
    const own = this.ownType(topic);
    let resolver: Resolver | null = null;
    if (!own.equals(writer)) {
      try {
        resolver = own.createResolver(writer);
      } catch (e) {
        throw new DecodeError(
          `schema id ${id} (${writer.name ?? writer.typeName}) cannot be read as ${own.name} on topic ${topic}`,
          e,
        );
      }
    }
    this.readers.set(`${topic}:${id}`, { type: own, resolver });
  }

  private async writerId(topic: TopicId): Promise<number> {
    const known = this.writerIds.get(topic);
    if (known !== undefined) return known;
    let pending = this.pendingIds.get(topic);
    if (!pending) {
      pending = this.lookUpWriterId(topic).finally(() => this.pendingIds.delete(topic));
      this.pendingIds.set(topic, pending);
    }
    return pending;
  }

  private async lookUpWriterId(topic: TopicId): Promise<number> {
    const t = this.topology[topic];
    try {
      const id = await this.registry.idOf(t.subject, schemaText(t.schema));
      this.writerIds.set(topic, id);
      return id;
    } catch (e) {
      if (isRegistryNotFound(e)) throw new SchemaNotRegisteredError(t.subject, e);
      throw new RegistryUnavailableError(
        `could not look up subject '${t.subject}': ${(e as Error).message}`,
        e,
      );
    }
  }

  private ownType(topic: TopicId): Type {
    let type = this.ownTypes.get(topic);
    if (!type) {
      type = avroType(this.topology[topic].schema);
      this.ownTypes.set(topic, type);
    }
    return type;
  }
}

function explain(type: Type, value: unknown): string {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path, v) => {
      problems.push(`${path.join('.') || '(record)'}=${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v)}`);
    },
  });
  return problems.length > 0 ? `invalid field(s) ${problems.join(', ')}` : 'value does not fit the schema';
}
