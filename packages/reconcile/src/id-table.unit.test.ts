import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdTable } from './id-table.ts';

describe('IdTable', () => {
  it('gives each id one index, finds it again after growing, and refuses ids that are not 16 bytes', () => {
    let capacity = 0;
    const table = new IdTable(10, (c) => {
      capacity = c;
    });
    const ids = Array.from({ length: 5000 }, () => randomBytes(16));
    const indexes = ids.map((id) => table.upsert(id));
    expect(indexes.every((r, i) => r.added && r.index === i)).toBe(true);
    expect(capacity).toBeGreaterThanOrEqual(5000);
    expect(table.size).toBe(5000);
    ids.forEach((id, i) => {
      expect(table.find(id)).toBe(i);
      expect(table.upsert(Buffer.from(id))).toEqual({ index: i, added: false });
    });
    expect(Buffer.from(table.idAt(1234)).equals(ids[1234] as Buffer)).toBe(true);
    expect(table.find(randomBytes(16))).toBe(-1);
    expect(table.upsert(randomBytes(15)).index).toBe(-1);
    // Ids that differ in one word only.
    const a = Buffer.alloc(16);
    const b = Buffer.alloc(16);
    b[15] = 1;
    expect(table.upsert(a).index).not.toBe(table.upsert(b).index);
  });
});
