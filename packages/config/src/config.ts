import { ConfigError, type ConfigProblem } from './errors.ts';
import type { Parser } from './parsers.ts';

export interface EnvVar<T> {
  readonly variable: string;
  readonly parse: Parser<T>;
  /** Raw text used when the variable is unset. Absent means the variable is required. */
  readonly default: string | undefined;
  readonly description: string | undefined;
}

export function envVar<T>(
  variable: string,
  parse: Parser<T>,
  options: { default?: string; description?: string } = {},
): EnvVar<T> {
  return { variable, parse, default: options.default, description: options.description };
}

export type ConfigSpec = Record<string, EnvVar<unknown>>;
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never;
};
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses every variable of the spec and reports all problems together.
 * An unset variable takes its default; a variable set to an empty string is a value like any other,
 * so `KAFKA_BROKERS=` is an error rather than silently falling back.
 */
export function parseConfig<S extends ConfigSpec>(spec: S, env: Env): ConfigOf<S> {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(spec)) {
    const raw = env[v.variable] ?? v.default;
    if (raw === undefined) {
      problems.push({ variable: v.variable, message: 'is required but not set' });
      continue;
    }
    try {
      out[key] = v.parse(raw);
    } catch (e) {
      problems.push({ variable: v.variable, message: e instanceof Error ? e.message : String(e) });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** Human-readable list of the variables a spec reads, for --help texts and docs. */
export function describeConfig(spec: ConfigSpec): string {
  return Object.values(spec)
    .map(
      (v) =>
        `  ${v.variable}${v.default !== undefined ? ` (default: ${v.default})` : ' (required)'}${v.description ? ` — ${v.description}` : ''}`,
    )
    .join('\n');
}
