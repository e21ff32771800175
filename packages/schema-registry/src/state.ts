import type { CompatibilityLevel, LogRecord } from './records.ts';

export interface VersionEntry {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** Canonical schema text. */
  readonly schema: string;
  readonly deleted: boolean;
}

export interface VersionFilter {
  /** Include soft-deleted versions. */
  includeDeleted?: boolean;
  /** Only soft-deleted versions (wins over includeDeleted). */
  deletedOnly?: boolean;
}

function matches(entry: VersionEntry, filter: VersionFilter): boolean {
  if (filter.deletedOnly) return entry.deleted;
  return filter.includeDeleted === true || !entry.deleted;
}

/**
 * The registry's whole state, rebuilt by applying the storage topic's records in order. Pure: no I/O,
 * so the same code serves start-up replay, live writes and unit tests.
 */
export class RegistryState {
  private readonly subjects = new Map<string, Map<number, VersionEntry>>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private globalLevel: CompatibilityLevel | undefined;
  /** canonical schema → id; kept after permanent deletes so a schema registered again keeps its id. */
  private readonly idsBySchema = new Map<string, number>();
  private readonly schemasById = new Map<number, string>();
  /** id → the subject versions (soft-deleted included) that use it. */
  private readonly usesById = new Map<number, Map<string, VersionEntry>>();
  private maxId = 0;

  constructor(private readonly defaultLevel: CompatibilityLevel = 'BACKWARD') {}

  apply(record: LogRecord): void {
    switch (record.type) {
      case 'SCHEMA':
        if (record.value === null) this.removeVersion(record.subject, record.version);
        else this.putVersion({ ...record.value, subject: record.subject, version: record.version });
        return;
      case 'DELETE_SUBJECT': {
        if (record.value === null) return;
        const versions = this.subjects.get(record.subject);
        if (!versions) return;
        for (const entry of [...versions.values()]) {
          if (entry.version <= record.value.version && !entry.deleted)
            this.putVersion({ ...entry, deleted: true });
        }
        return;
      }
      case 'CONFIG':
        if (record.subject === null) this.globalLevel = record.value?.compatibilityLevel;
        else if (record.value === null) this.subjectLevels.delete(record.subject);
        else this.subjectLevels.set(record.subject, record.value.compatibilityLevel);
        return;
      case 'NOOP':
        return;
    }
  }

  private putVersion(entry: VersionEntry): void {
    let versions = this.subjects.get(entry.subject);
    if (!versions) {
      versions = new Map();
      this.subjects.set(entry.subject, versions);
    }
    const previous = versions.get(entry.version);
    if (previous && previous.id !== entry.id) this.forgetUse(previous);
    versions.set(entry.version, entry);
    if (!this.idsBySchema.has(entry.schema)) this.idsBySchema.set(entry.schema, entry.id);
    this.schemasById.set(entry.id, entry.schema);
    let uses = this.usesById.get(entry.id);
    if (!uses) {
      uses = new Map();
      this.usesById.set(entry.id, uses);
    }
    uses.set(useKey(entry), entry);
    if (entry.id > this.maxId) this.maxId = entry.id;
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject);
    const entry = versions?.get(version);
    if (!versions || !entry) return;
    versions.delete(version);
    if (versions.size === 0) this.subjects.delete(subject);
    this.forgetUse(entry);
  }

  private forgetUse(entry: VersionEntry): void {
    const uses = this.usesById.get(entry.id);
    uses?.delete(useKey(entry));
    if (uses && uses.size === 0) this.usesById.delete(entry.id);
  }

  /** Subjects with at least one version passing the filter, sorted. */
  subjectNames(filter: VersionFilter = {}): string[] {
    const names: string[] = [];
    for (const [subject, versions] of this.subjects) {
      for (const entry of versions.values()) {
        if (matches(entry, filter)) {
          names.push(subject);
          break;
        }
      }
    }
    return names.sort();
  }

  /** Versions of a subject passing the filter, ascending. */
  versions(subject: string, filter: VersionFilter = {}): VersionEntry[] {
    const versions = this.subjects.get(subject);
    if (!versions) return [];
    return [...versions.values()].filter((e) => matches(e, filter)).sort((a, b) => a.version - b.version);
  }

  hasSubject(subject: string, filter: VersionFilter = {}): boolean {
    return this.versions(subject, filter).length > 0;
  }

  version(subject: string, version: number): VersionEntry | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  latest(subject: string, filter: VersionFilter = {}): VersionEntry | undefined {
    return this.versions(subject, filter).at(-1);
  }

  /** The version of `subject` holding exactly this canonical schema, if any. */
  findInSubject(subject: string, canonical: string, filter: VersionFilter = {}): VersionEntry | undefined {
    // The latest matching version: after a soft delete and re-registration both versions exist.
    return this.versions(subject, filter)
      .filter((e) => e.schema === canonical)
      .at(-1);
  }

  /** The schema text of an id that some subject version (soft-deleted ones included) still uses. */
  schemaById(id: number): string | undefined {
    return this.usesById.has(id) ? this.schemasById.get(id) : undefined;
  }

  /** The id this canonical schema had or has; a new schema gets `nextId()`. */
  idForSchema(canonical: string): number | undefined {
    return this.idsBySchema.get(canonical);
  }

  nextId(): number {
    return this.maxId + 1;
  }

  /** Subject versions using an id, sorted by subject then version. */
  usesOfId(id: number, filter: VersionFilter = {}): VersionEntry[] {
    const uses = this.usesById.get(id);
    if (!uses) return [];
    return [...uses.values()]
      .filter((e) => matches(e, filter))
      .sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  }

  subjectLevel(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel ?? this.defaultLevel;
  }

  /** The level that governs a subject: its own, else the global one. */
  effectiveLevel(subject: string): CompatibilityLevel {
    return this.subjectLevels.get(subject) ?? this.globalCompatibility();
  }

  /** Counts, for logs and measurements. */
  stats(): { subjects: number; versions: number; schemas: number } {
    let versions = 0;
    for (const v of this.subjects.values()) versions += v.size;
    return { subjects: this.subjects.size, versions, schemas: this.usesById.size };
  }
}

function useKey(entry: VersionEntry): string {
  return `${entry.version}\u0000${entry.subject}`;
}
