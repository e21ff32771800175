import { parse } from 'yaml';
import { ComposeFormatError, InterpolationError } from './errors.ts';

export type Vars = Readonly<Record<string, string | undefined>>;

/**
 * Compose's variable substitution in one string: `$$` is a literal `$`; `$VAR` and `${VAR}`; `${VAR:-d}`
 * / `${VAR-d}` (default when unset or empty / unset); `${VAR:+a}` / `${VAR+a}` (alternative when set);
 * `${VAR:?msg}` / `${VAR?msg}` (error). Defaults and alternatives may themselves hold substitutions.
 * Variables that are unset and have no default are reported through `unset` and become empty, as in
 * Compose (which warns).
 */
export function interpolate(text: string, vars: Vars, unset: (name: string) => void = () => {}): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 1);
      if (close < 0) throw new InterpolationError(`unterminated \${ in "${text}"`);
      out += substitute(text.slice(i + 2, close), vars, unset);
      i = close + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
    if (name === undefined) {
      out += c;
      i++;
      continue;
    }
    const value = vars[name];
    if (value === undefined) unset(name);
    out += value ?? '';
    i += 1 + name.length;
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}') {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}

function substitute(expr: string, vars: Vars, unset: (name: string) => void): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-+?])([\s\S]*))?$/.exec(expr);
  if (!m) throw new InterpolationError(`invalid substitution \${${expr}}`);
  const [, name = '', colon, op, rest = ''] = m;
  const value = vars[name];
  const missing = colon === ':' ? value === undefined || value === '' : value === undefined;
  switch (op) {
    case '-':
      return missing ? interpolate(rest, vars, unset) : (value ?? '');
    case '+':
      return missing ? '' : interpolate(rest, vars, unset);
    case '?':
      if (missing) throw new InterpolationError(`${name}: ${rest || 'required variable is not set'}`);
      return value ?? '';
    default:
      if (value === undefined) unset(name);
      return value ?? '';
  }
}

/** KEY=VALUE lines of an env file (`--env-file`): comments, blank lines, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ComposeFormatError(`env file line ${n + 1} is not KEY=VALUE: ${line}`);
    const [, key = '', value = ''] = m;
    const quoted = /^(['"])(.*)\1$/.exec(value);
    out[key] = quoted ? (quoted[2] ?? '') : value.replace(/\s+#.*$/, '');
  }
  return out;
}

export interface PortMapping {
  /** Published port on the host; undefined when only the container port is given. */
  readonly host: number | undefined;
  readonly container: number;
}

export interface Dependency {
  readonly condition: string;
  readonly required: boolean;
}

export interface Mount {
  readonly type: 'bind' | 'volume' | 'other';
  readonly source: string | undefined;
  readonly target: string;
}

export interface Build {
  readonly context: string;
  readonly dockerfile: string;
  readonly target: string | undefined;
  readonly args: Readonly<Record<string, string>>;
}

export interface Healthcheck {
  /** The test as an exec array: `CMD ...`, `CMD-SHELL <line>`, or `NONE`. */
  readonly test: readonly string[];
  readonly disabled: boolean;
}

export interface ComposeService {
  readonly name: string;
  readonly image: string | undefined;
  readonly build: Build | undefined;
  readonly profiles: readonly string[];
  /** Values after substitution; undefined for a bare `KEY` (passed through from Compose's own environment). */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly dependsOn: Readonly<Record<string, Dependency>>;
  readonly ports: readonly PortMapping[];
  readonly healthcheck: Healthcheck | undefined;
  readonly restart: string | undefined;
  readonly memLimit: string | undefined;
  readonly volumes: readonly Mount[];
  /** command and entrypoint, joined, for checks that look at what a container runs. */
  readonly commandLine: string;
}

export interface ComposeProject {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes: readonly string[];
  /** Variables used without a value or default (Compose substitutes an empty string and warns). */
  readonly unsetVariables: readonly string[];
}

/**
 * Reads a Compose file as Compose does: YAML 1.2 (what Compose's Go parser reads) with anchors and `<<`
 * merges, then variable substitution in every value.
 */
export function parseCompose(text: string, vars: Vars = {}): ComposeProject {
  let doc: unknown;
  try {
    doc = parse(text, { merge: true, uniqueKeys: true });
  } catch (e) {
    throw new ComposeFormatError(`not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  const unset = new Set<string>();
  const root = asMap(
    substituteAll(doc, vars, (n) => unset.add(n)),
    'the file',
  );
  const servicesNode = asMap(root.services, 'services');
  const services: Record<string, ComposeService> = {};
  for (const [name, node] of Object.entries(servicesNode)) services[name] = service(name, asMap(node, name));
  return {
    services,
    volumes: root.volumes === undefined ? [] : Object.keys(asMap(root.volumes, 'volumes')),
    unsetVariables: [...unset].sort(),
  };
}

function substituteAll(node: unknown, vars: Vars, unset: (name: string) => void): unknown {
  if (typeof node === 'string') return interpolate(node, vars, unset);
  if (Array.isArray(node)) return node.map((n) => substituteAll(n, vars, unset));
  if (isMap(node)) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substituteAll(v, vars, unset)]));
  }
  return node;
}

type YamlMap = Record<string, unknown>;

function isMap(node: unknown): node is YamlMap {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function asMap(node: unknown, where: string): YamlMap {
  if (!isMap(node)) throw new ComposeFormatError(`${where}: expected a mapping`);
  return node;
}

function scalar(node: unknown, where: string): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  throw new ComposeFormatError(`${where}: expected a string, got ${JSON.stringify(node)}`);
}

function stringList(node: unknown, where: string): string[] {
  if (node === undefined) return [];
  if (!Array.isArray(node)) throw new ComposeFormatError(`${where}: expected a list`);
  return node.map((n, i) => scalar(n, `${where}[${i}]`));
}

function service(name: string, node: YamlMap): ComposeService {
  const where = (key: string) => `service ${name}: ${key}`;
  const restart = node.restart;
  if (restart !== undefined && typeof restart !== 'string') {
    throw new ComposeFormatError(`${where('restart')}: must be a string`);
  }
  const limits =
    isMap(node.deploy) && isMap(node.deploy.resources) ? node.deploy.resources.limits : undefined;
  const deployMemory =
    isMap(limits) && limits.memory !== undefined ? scalar(limits.memory, where('deploy')) : undefined;
  return {
    name,
    image: node.image === undefined ? undefined : scalar(node.image, where('image')),
    build: node.build === undefined ? undefined : build(node.build, where('build')),
    profiles: stringList(node.profiles, where('profiles')),
    environment: environment(node.environment, where('environment')),
    dependsOn: dependsOn(node.depends_on, where('depends_on')),
    ports: Array.isArray(node.ports) ? node.ports.map((p, i) => port(p, where(`ports[${i}]`))) : [],
    healthcheck:
      node.healthcheck === undefined ? undefined : healthcheck(node.healthcheck, where('healthcheck')),
    restart,
    memLimit: node.mem_limit === undefined ? deployMemory : scalar(node.mem_limit, where('mem_limit')),
    volumes: Array.isArray(node.volumes) ? node.volumes.map((v, i) => mount(v, where(`volumes[${i}]`))) : [],
    commandLine: [node.entrypoint, node.command]
      .map((c) =>
        Array.isArray(c)
          ? c.map((x) => scalar(x, where('command'))).join(' ')
          : c === undefined
            ? ''
            : scalar(c, where('command')),
      )
      .join(' ')
      .trim(),
  };
}

function build(node: unknown, where: string): Build {
  if (typeof node === 'string')
    return { context: node, dockerfile: 'Dockerfile', target: undefined, args: {} };
  const m = asMap(node, where);
  const args: Record<string, string> = {};
  if (Array.isArray(m.args)) {
    for (const entry of stringList(m.args, `${where}.args`)) {
      const eq = entry.indexOf('=');
      if (eq > 0) args[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (m.args !== undefined) {
    for (const [k, v] of Object.entries(asMap(m.args, `${where}.args`)))
      args[k] = scalar(v, `${where}.args.${k}`);
  }
  return {
    context: m.context === undefined ? '.' : scalar(m.context, `${where}.context`),
    dockerfile: m.dockerfile === undefined ? 'Dockerfile' : scalar(m.dockerfile, `${where}.dockerfile`),
    target: m.target === undefined ? undefined : scalar(m.target, `${where}.target`),
    args,
  };
}

function environment(node: unknown, where: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (node === undefined) return out;
  if (Array.isArray(node)) {
    for (const entry of stringList(node, where)) {
      const eq = entry.indexOf('=');
      if (eq < 0) out[entry] = undefined;
      else out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return out;
  }
  for (const [k, v] of Object.entries(asMap(node, where)))
    out[k] = v === null ? undefined : scalar(v, `${where}.${k}`);
  return out;
}

const DEFAULT_CONDITION = 'service_started';

function dependsOn(node: unknown, where: string): Record<string, Dependency> {
  const out: Record<string, Dependency> = {};
  if (node === undefined) return out;
  if (Array.isArray(node)) {
    for (const name of stringList(node, where)) out[name] = { condition: DEFAULT_CONDITION, required: true };
    return out;
  }
  for (const [name, v] of Object.entries(asMap(node, where))) {
    const m = v === null ? {} : asMap(v, `${where}.${name}`);
    out[name] = {
      condition:
        m.condition === undefined ? DEFAULT_CONDITION : scalar(m.condition, `${where}.${name}.condition`),
      required: m.required === undefined ? true : m.required === true,
    };
  }
  return out;
}

function portNumber(text: string, where: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new ComposeFormatError(`${where}: bad port ${text}`);
  return n;
}

function port(node: unknown, where: string): PortMapping {
  if (isMap(node)) {
    return {
      host: node.published === undefined ? undefined : portNumber(scalar(node.published, where), where),
      container: portNumber(scalar(node.target, where), where),
    };
  }
  // Short syntax: [[ip:]host:]container[/protocol], or a bare container port.
  if (typeof node === 'number') return { host: undefined, container: portNumber(String(node), where) };
  if (typeof node !== 'string')
    throw new ComposeFormatError(`${where}: expected a port, got ${JSON.stringify(node)}`);
  const parts = node.replace(/\/(tcp|udp|sctp)$/, '').split(':');
  const container = parts.pop();
  const host = parts.pop();
  if (container === undefined) throw new ComposeFormatError(`${where}: empty port`);
  return {
    host: host === undefined || host === '' ? undefined : portNumber(host, where),
    container: portNumber(container, where),
  };
}

function healthcheck(node: unknown, where: string): Healthcheck {
  const m = asMap(node, where);
  const disabled = m.disable === true;
  let test: string[] = [];
  if (typeof m.test === 'string') test = ['CMD-SHELL', m.test];
  else if (m.test !== undefined) test = stringList(m.test, `${where}.test`);
  return { test, disabled: disabled || test[0] === 'NONE' };
}

function mount(node: unknown, where: string): Mount {
  if (isMap(node)) {
    const type = node.type === 'bind' || node.type === 'volume' ? node.type : 'other';
    return {
      type,
      source: node.source === undefined ? undefined : scalar(node.source, where),
      target: scalar(node.target, where),
    };
  }
  const [source = '', target, ...rest] = scalar(node, where).split(':');
  if (target === undefined) return { type: 'volume', source: undefined, target: source };
  void rest;
  const bind = /^[./~]/.test(source);
  return { type: bind ? 'bind' : 'volume', source, target };
}

/** Services enabled for the given profiles: those without profiles, and those with one of them. */
export function activeServices(project: ComposeProject, profiles: readonly string[]): ComposeService[] {
  return Object.values(project.services).filter(
    (s) => s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p)),
  );
}

/** The executable a healthcheck runs: CMD's first word, or CMD-SHELL's first word after VAR=value. */
export function healthcheckTool(check: Healthcheck): string | undefined {
  const [kind, ...rest] = check.test;
  if (kind === 'CMD') return rest[0];
  if (kind === 'CMD-SHELL') {
    return (rest[0] ?? '')
      .trim()
      .split(/\s+/)
      .find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  }
  return undefined;
}

/** `512m`, `1g`, `1536m`, a plain byte count: bytes, or undefined when unreadable. */
export function memoryBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}
