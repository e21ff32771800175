import { FULL_DEFAULTS, PRESETS, SMOKE_DEFAULTS } from './options.ts';
import type { RunHeader } from './run-file.ts';

/** What a run ran on and how: what a report can group runs by. */
export interface RunSetup {
  readonly kafkaClient: string;
  readonly brokers: number | undefined;
  readonly mode: 'ramp' | 'steady';
  readonly preset: string;
}

/** The preset whose ramp the options follow, for runs from before the header named it. */
function presetOf(options: Readonly<Record<string, unknown>>): string {
  if (options.smoke === true) return SMOKE_DEFAULTS.preset;
  const ramps: Record<string, { stepPerSecond: number; cycleLoops: number }> = {
    ...PRESETS,
    default: FULL_DEFAULTS,
  };
  for (const [name, r] of Object.entries(ramps))
    if (options.stepPerSecond === r.stepPerSecond && options.cycleLoops === r.cycleLoops) return name;
  return 'custom';
}

/**
 * A run's setup from its header. Older runs lack the fields: they all ran on kafkajs (the only client
 * then), as ramps, and a local stack's header names its Kafka nodes among its components.
 */
export function runSetupOf(header: RunHeader): RunSetup {
  const components = Array.isArray(header.target.components) ? (header.target.components as unknown[]) : [];
  const nodes = components.filter((c) => typeof c === 'string' && /^kafka-\d+$/.test(c)).length;
  return {
    kafkaClient: header.kafkaClient ?? 'kafkajs',
    brokers: header.brokers ?? (nodes > 0 ? nodes : undefined),
    mode: header.mode ?? 'ramp',
    preset: header.preset ?? presetOf(header.options),
  };
}

export const GROUP_FIELDS = ['name', 'client', 'brokers', 'mode', 'preset'] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

/** `--group-by client,brokers`: the fields, checked. */
export function parseGroupBy(raw: string): GroupField[] {
  const fields = raw.split(',').map((s) => s.trim());
  for (const f of fields)
    if (!(GROUP_FIELDS as readonly string[]).includes(f))
      throw new Error(`--group-by: fields among ${GROUP_FIELDS.join(', ')}, got '${f}'`);
  return fields as GroupField[];
}

/** The run's name without its date-time: what `--name` was. */
export const baseName = (runName: string) => runName.replace(/-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/, '');

/** The part of a category's label one field contributes, e.g. `3 brokers`. */
export function groupLabel(runName: string, setup: RunSetup, fields: readonly GroupField[]): string {
  const part: Record<GroupField, () => string> = {
    name: () => baseName(runName),
    client: () => setup.kafkaClient,
    brokers: () =>
      setup.brokers === undefined ? '? brokers' : `${setup.brokers} broker${setup.brokers === 1 ? '' : 's'}`,
    mode: () => setup.mode,
    preset: () => setup.preset,
  };
  return fields.map((f) => part[f]()).join(' · ');
}
