import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PartState {
  readonly pid: number;
  readonly procStart: string | undefined;
  readonly ports: readonly number[];
  readonly log: string;
  readonly startedAt: string;
}

/** `.stack/<profile>/state.json`: what runs (pids, ports) and what the data on disk was made for. */
export interface StackState {
  readonly version: 1;
  readonly profile: string;
  /** Broker count the Kafka data is formatted for; fixed until the profile is wiped. */
  readonly brokers: number | undefined;
  readonly clusterId: string | undefined;
  readonly portOffset: number | undefined;
  readonly parts: Readonly<Record<string, PartState>>;
}

export function emptyState(profile: string): StackState {
  return { version: 1, profile, brokers: undefined, clusterId: undefined, portOffset: undefined, parts: {} };
}

export function withPart(state: StackState, name: string, part: PartState): StackState {
  return { ...state, parts: { ...state.parts, [name]: part } };
}

export function withoutPart(state: StackState, name: string): StackState {
  const { [name]: _gone, ...rest } = state.parts;
  return { ...state, parts: rest };
}

/** Accepts what an older or hand-edited file may hold, dropping entries that are not well-formed. */
export function parseState(text: string, profile: string): StackState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return emptyState(profile);
  }
  if (typeof raw !== 'object' || raw === null) return emptyState(profile);
  const r = raw as Record<string, unknown>;
  const parts: Record<string, PartState> = {};
  if (typeof r.parts === 'object' && r.parts !== null) {
    for (const [name, v] of Object.entries(r.parts as Record<string, unknown>)) {
      const p = v as Record<string, unknown> | null;
      if (!p || typeof p.pid !== 'number' || !Number.isInteger(p.pid) || p.pid <= 0) continue;
      parts[name] = {
        pid: p.pid,
        procStart: typeof p.procStart === 'string' ? p.procStart : undefined,
        ports: Array.isArray(p.ports) ? p.ports.filter((x): x is number => typeof x === 'number') : [],
        log: typeof p.log === 'string' ? p.log : '',
        startedAt: typeof p.startedAt === 'string' ? p.startedAt : '',
      };
    }
  }
  return {
    version: 1,
    profile,
    brokers: typeof r.brokers === 'number' ? r.brokers : undefined,
    clusterId: typeof r.clusterId === 'string' ? r.clusterId : undefined,
    portOffset: typeof r.portOffset === 'number' ? r.portOffset : undefined,
    parts,
  };
}

export function readState(file: string, profile: string): StackState {
  if (!existsSync(file)) return emptyState(profile);
  return parseState(readFileSync(file, 'utf8'), profile);
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function writeState(file: string, state: StackState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
