/**
 * A set of 16-byte command ids, each with a dense index for column arrays kept by the caller. Ten million
 * ids in a Map of strings cost about 100 bytes each; here an id costs its 16 bytes plus two 4-byte slots of
 * an open-addressing table (kept at most half full), so the state of every command fits in memory.
 */
export class IdTable {
  private keys: Uint32Array;
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private capacity: number;
  /** Called with the new capacity when the dense columns must grow. */
  private readonly onGrow: (capacity: number) => void;

  constructor(expected: number, onGrow: (capacity: number) => void) {
    this.capacity = Math.max(1024, Math.ceil(expected));
    this.keys = new Uint32Array(this.capacity * 4);
    const slotCount = slotsFor(this.capacity);
    this.slots = new Int32Array(slotCount).fill(-1);
    this.mask = slotCount - 1;
    this.onGrow = onGrow;
    onGrow(this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The index of an id, or -1 when it is not in the table. */
  find(id: Uint8Array): number {
    if (id.length !== 16) return -1;
    const [a, b, c, d] = words(id);
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      const index = this.slots[slot] as number;
      if (index < 0) return -1;
      const k = index * 4;
      if (this.keys[k] === a && this.keys[k + 1] === b && this.keys[k + 2] === c && this.keys[k + 3] === d)
        return index;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The index of an id, added when it is new; `added` tells which. Ids that are not 16 bytes give -1. */
  upsert(id: Uint8Array): { index: number; added: boolean } {
    if (id.length !== 16) return { index: -1, added: false };
    const [a, b, c, d] = words(id);
    let slot = hash(a, b, c, d) & this.mask;
    for (;;) {
      const index = this.slots[slot] as number;
      if (index < 0) break;
      const k = index * 4;
      if (this.keys[k] === a && this.keys[k + 1] === b && this.keys[k + 2] === c && this.keys[k + 3] === d)
        return { index, added: false };
      slot = (slot + 1) & this.mask;
    }
    if (this.count === this.capacity) {
      this.grow();
      return this.upsert(id);
    }
    const index = this.count++;
    const k = index * 4;
    this.keys[k] = a;
    this.keys[k + 1] = b;
    this.keys[k + 2] = c;
    this.keys[k + 3] = d;
    this.slots[slot] = index;
    return { index, added: true };
  }

  /** The id at an index, as 16 bytes. */
  idAt(index: number): Uint8Array {
    const out = new Uint8Array(16);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(i * 4, this.keys[index * 4 + i] as number);
    return out;
  }

  private grow(): void {
    this.capacity = Math.ceil(this.capacity * 1.5);
    const keys = new Uint32Array(this.capacity * 4);
    keys.set(this.keys);
    this.keys = keys;
    const slotCount = slotsFor(this.capacity);
    this.slots = new Int32Array(slotCount).fill(-1);
    this.mask = slotCount - 1;
    for (let index = 0; index < this.count; index++) {
      const k = index * 4;
      let slot =
        hash(
          this.keys[k] as number,
          this.keys[k + 1] as number,
          this.keys[k + 2] as number,
          this.keys[k + 3] as number,
        ) & this.mask;
      while ((this.slots[slot] as number) >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = index;
    }
    this.onGrow(this.capacity);
  }
}

function slotsFor(capacity: number): number {
  let n = 1024;
  while (n < capacity * 2) n *= 2;
  return n;
}

function words(id: Uint8Array): [number, number, number, number] {
  const view = new DataView(id.buffer, id.byteOffset, 16);
  return [view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)];
}

// Random UUIDs would spread well on one word, but ids come from anywhere: mix all four.
function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ d ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Grows a typed array to a length, keeping its contents. */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(
  array: T,
  length: number,
): T {
  if (array.length >= length) return array;
  const out = new (array.constructor as new (n: number) => T)(length);
  out.set(array);
  return out;
}
