import { describe, expect, it } from 'vitest';
import type { LogRecord } from './records.ts';
import { RegistryState } from './state.ts';

const schema = (subject: string, version: number, id: number, text: string, deleted = false): LogRecord => ({
  type: 'SCHEMA',
  subject,
  version,
  value: { subject, version, id, schema: text, deleted },
});
const tombstone = (subject: string, version: number): LogRecord => ({
  type: 'SCHEMA',
  subject,
  version,
  value: null,
});

function stateOf(records: LogRecord[]): RegistryState {
  const state = new RegistryState();
  for (const r of records) state.apply(r);
  return state;
}

describe('RegistryState', () => {
  it('indexes versions by subject and schemas by id', () => {
    const state = stateOf([
      schema('a', 1, 1, '"int"'),
      schema('a', 2, 2, '"long"'),
      schema('b', 1, 1, '"int"'),
    ]);
    expect(state.subjectNames()).toEqual(['a', 'b']);
    expect(state.versions('a').map((v) => v.version)).toEqual([1, 2]);
    expect(state.latest('a')?.id).toBe(2);
    expect(state.schemaById(1)).toBe('"int"');
    expect(state.usesOfId(1).map((e) => `${e.subject}/${e.version}`)).toEqual(['a/1', 'b/1']);
    expect(state.idForSchema('"long"')).toBe(2);
    expect(state.nextId()).toBe(3);
    expect(state.findInSubject('b', '"int"')?.version).toBe(1);
  });

  it('soft-deletes a subject up to the version in DELETE_SUBJECT, keeping ids readable', () => {
    const state = stateOf([
      schema('a', 1, 1, '"int"'),
      schema('a', 2, 2, '"long"'),
      { type: 'DELETE_SUBJECT', subject: 'a', value: { subject: 'a', version: 2 } },
    ]);
    expect(state.subjectNames()).toEqual([]);
    expect(state.subjectNames({ includeDeleted: true })).toEqual(['a']);
    expect(state.versions('a', { includeDeleted: true }).every((v) => v.deleted)).toBe(true);
    expect(state.schemaById(2)).toBe('"long"');
    expect(state.usesOfId(2)).toEqual([]);
    expect(state.usesOfId(2, { includeDeleted: true })).toHaveLength(1);
  });

  it('forgets permanently deleted versions but never reuses their ids', () => {
    const state = stateOf([
      schema('a', 1, 5, '"int"', true),
      tombstone('a', 1),
      tombstone('never-existed', 4),
    ]);
    expect(state.hasSubject('a', { includeDeleted: true })).toBe(false);
    expect(state.schemaById(5)).toBeUndefined();
    expect(state.nextId()).toBe(6);
    expect(state.idForSchema('"int"')).toBe(5);
  });

  it('applies global and subject compatibility levels, and their removal', () => {
    const state = stateOf([
      { type: 'CONFIG', subject: null, value: { compatibilityLevel: 'FULL' } },
      { type: 'CONFIG', subject: 'a', value: { compatibilityLevel: 'NONE' } },
    ]);
    expect(state.globalCompatibility()).toBe('FULL');
    expect(state.effectiveLevel('a')).toBe('NONE');
    expect(state.effectiveLevel('b')).toBe('FULL');
    state.apply({ type: 'CONFIG', subject: 'a', value: null });
    state.apply({ type: 'CONFIG', subject: null, value: null });
    expect(state.subjectLevel('a')).toBeUndefined();
    expect(state.effectiveLevel('a')).toBe('BACKWARD');
  });

  it('filters deleted-only versions', () => {
    const state = stateOf([schema('a', 1, 1, '"int"', true), schema('a', 2, 2, '"long"')]);
    expect(state.versions('a', { deletedOnly: true }).map((v) => v.version)).toEqual([1]);
    expect(state.versions('a').map((v) => v.version)).toEqual([2]);
    expect(state.stats()).toEqual({ subjects: 1, versions: 2, schemas: 2 });
  });
});
