import { InvalidUuidError } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The 16 bytes of a UUID, most significant first: the Avro `Uuid` fixed of SPEC §3. */
export function uuidToBytes(value: string): Buffer {
  if (!isUuid(value)) throw new InvalidUuidError(value);
  return Buffer.from(value.replaceAll('-', ''), 'hex');
}

export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new InvalidUuidError(`<${bytes.length} bytes>`);
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
