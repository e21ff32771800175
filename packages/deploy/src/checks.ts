import { posix } from 'node:path';
import { ConfigError, type ConfigSpec, parseConfig } from '@open-bank/config';
import {
  activeServices,
  type ComposeProject,
  type ComposeService,
  healthcheckTool,
  memoryBytes,
  parseCompose,
  type Vars,
} from './compose.ts';
import {
  type Dockerfile,
  type DockerfileStage,
  declaredArgs,
  effectiveUser,
  isRootUser,
  parseDockerfile,
  stageNamed,
} from './dockerfile.ts';

/** Read access to the repository, paths relative to its root (injected: the checks stay pure). */
export interface RepoFiles {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  isExecutable(path: string): boolean;
  /** File names in a directory (empty when it is missing). */
  list(path: string): string[];
  /** A file's text, or undefined when it is missing. */
  read(path: string): string | undefined;
}

export interface ComposeFacts {
  /** Services the demo must have. */
  readonly requiredServices: readonly string[];
  /** The host port each of these services must publish. */
  readonly hostPorts: Readonly<Record<string, number>>;
  /** Services that run once to completion; every service built from the repository waits for them. */
  readonly oneShot: readonly string[];
  /** The configuration spec of each service package, by its folder under packages/ (build arg SERVICE). */
  readonly configSpecs: Readonly<Record<string, ConfigSpec>>;
  /** Executables present in an image (name without tag) ... */
  readonly imageTools: Readonly<Record<string, readonly string[]>>;
  /** ... or in a target of our Dockerfile. */
  readonly targetTools: Readonly<Record<string, readonly string[]>>;
  /** The Kafka image, with the version local mode runs. */
  readonly kafkaImage: string;
  /** PostgreSQL's major version in local mode; the postgres image must be the same. */
  readonly postgresMajor: string;
  readonly files: RepoFiles;
}

/** Variables any Node.js service may be given besides its config spec's. */
const NODE_RUNTIME_VARS = new Set(['NODE_OPTIONS', 'NODE_ENV', 'TZ', 'UV_THREADPOOL_SIZE']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const LONG_RUNNING_RESTART = /^(always|unless-stopped|on-failure(:\d+)?)$/;
const LOOPBACK = /\b(localhost|127\.0\.0\.1|::1)\b/;

/**
 * Everything wrong with a Compose project for the given active profiles, as readable lines (empty: fine).
 * Docker cannot run where the tests run, so this is what stands between a typo and a demo that does not
 * start: files the builds need, the environment each service's config requires, start order, ports,
 * healthchecks, restart policies and memory limits.
 */
export function checkCompose(
  project: ComposeProject,
  profiles: readonly string[],
  facts: ComposeFacts,
): string[] {
  const problems: string[] = [];
  const all = project.services;
  const active = activeServices(project, profiles);
  const activeNames = new Set(active.map((s) => s.name));
  const dockerfiles = new Map<string, Dockerfile | undefined>();

  for (const v of project.unsetVariables)
    problems.push(`variable ${v} is used but not set and has no default`);
  for (const name of facts.requiredServices) {
    if (!all[name]) problems.push(`service ${name} is missing`);
  }

  for (const s of active) {
    const say = (message: string) => problems.push(`service ${s.name}: ${message}`);
    const oneShot = facts.oneShot.includes(s.name);

    // What runs: an image pinned to a version, or one of our builds.
    if (s.image === undefined && s.build === undefined) say('has neither image nor build');
    if (s.image !== undefined && s.build === undefined) {
      const tag = s.image.split('/').at(-1)?.split(':')[1];
      if (!tag || tag === 'latest') say(`image ${s.image} is not pinned to a version`);
      if (s.image.startsWith('apache/kafka:') && s.image !== facts.kafkaImage) {
        say(`image ${s.image} differs from local mode's Kafka (${facts.kafkaImage})`);
      }
      if (s.image.startsWith('postgres:') && !s.image.startsWith(`postgres:${facts.postgresMajor}`)) {
        say(`image ${s.image} differs from local mode's PostgreSQL ${facts.postgresMajor}`);
      }
    }
    const tools = toolsOf(s, facts);
    if (s.build) problems.push(...checkBuild(s, facts, dockerfiles));

    // The environment the service's config spec needs, read as the service will read it.
    const service = s.build?.args.SERVICE;
    const spec = service === undefined ? undefined : facts.configSpecs[service];
    let ownPort: number | undefined;
    if (service !== undefined && spec === undefined) say(`no config spec known for packages/${service}`);
    if (spec) {
      const result = checkServiceEnv(s.environment, spec);
      problems.push(...result.problems.map((p) => `service ${s.name}: ${p}`));
      ownPort = result.port;
    }
    for (const [variable, value] of Object.entries(s.environment)) {
      if (value === undefined) continue;
      for (const host of referencedHosts(variable, value)) {
        if (!activeNames.has(host.name)) {
          say(`${variable} names ${host.name}, which is not a service here`);
          continue;
        }
        const target = all[host.name];
        const advertised = target?.environment.KAFKA_ADVERTISED_LISTENERS;
        if (
          advertised !== undefined &&
          host.port !== undefined &&
          !advertised.includes(`://${host.name}:${host.port}`)
        ) {
          say(
            `${variable}: ${host.name}:${host.port} is not one of its advertised listeners (${advertised})`,
          );
        }
      }
    }

    // Start order: only conditions Compose knows, on services that can meet them.
    for (const [target, dep] of Object.entries(s.dependsOn)) {
      const t = all[target];
      if (!t) {
        say(`depends on ${target}, which is not defined`);
        continue;
      }
      if (!CONDITIONS.has(dep.condition)) say(`depends on ${target} with unknown condition ${dep.condition}`);
      if (dep.condition === 'service_healthy' && !hasHealthcheck(t)) {
        say(`waits for ${target} to be healthy, but ${target} has no healthcheck`);
      }
      if (dep.condition === 'service_completed_successfully' && t.restart !== 'no') {
        say(`waits for ${target} to complete, but ${target} is not one-shot (restart "no")`);
      }
      const profiled = t.profiles.length > 0 && !t.profiles.every((p) => s.profiles.includes(p));
      if (profiled && dep.required) {
        say(
          `depends on ${target} of profile ${t.profiles.join(',')}: Compose refuses it without required: false`,
        );
      }
    }
    if (s.build?.args.SERVICE !== undefined && !oneShot) {
      for (const first of facts.oneShot) {
        if (all[first] && s.dependsOn[first]?.condition !== 'service_completed_successfully') {
          say(`does not wait for ${first} to complete (depends_on condition service_completed_successfully)`);
        }
      }
    }
    if (/\bsleep\b/.test(`${s.commandLine} ${s.healthcheck?.test.join(' ') ?? ''}`)) {
      say('uses sleep: start order comes from healthchecks and depends_on conditions');
    }

    // Running: restart policy, healthcheck with a tool the image has, memory limit.
    if (oneShot) {
      if (s.restart !== 'no') say(`is one-shot: restart must be "no", not ${s.restart ?? 'unset'}`);
    } else {
      if (!s.restart || !LONG_RUNNING_RESTART.test(s.restart)) {
        say(
          `runs for long: needs a restart policy (unless-stopped, always, on-failure), has ${s.restart ?? 'none'}`,
        );
      }
      if (!hasHealthcheck(s)) say('runs for long but has no healthcheck');
    }
    if (s.healthcheck && !s.healthcheck.disabled) {
      const kind = s.healthcheck.test[0];
      const tool = healthcheckTool(s.healthcheck);
      if (kind !== 'CMD' && kind !== 'CMD-SHELL') say('healthcheck test must start with CMD or CMD-SHELL');
      else if (tools === undefined) say(`no list of the tools in its image (${s.image ?? s.build?.target})`);
      else if (tool === undefined || !tools.includes(tool)) {
        say(
          `healthcheck runs ${tool ?? 'nothing'}, which its image does not have (it has ${tools.join(', ')})`,
        );
      }
      if (ownPort !== undefined && !s.healthcheck.test.join(' ').includes(`:${ownPort}/`)) {
        say(`healthcheck does not ask the service's own port ${ownPort}`);
      }
    }
    const bytes = s.memLimit === undefined ? undefined : memoryBytes(s.memLimit);
    if (s.memLimit === undefined) say('has no memory limit (mem_limit or deploy.resources.limits.memory)');
    else if (!bytes) say(`memory limit ${s.memLimit} is not a size`);

    // Ports: the published ones the specification names; a service's own port inside the container.
    const expected = facts.hostPorts[s.name];
    if (expected !== undefined && !s.ports.some((p) => p.host === expected)) {
      say(
        `must publish host port ${expected}, publishes ${s.ports.map((p) => p.host ?? '-').join(', ') || 'none'}`,
      );
    }
    if (ownPort !== undefined) {
      for (const p of s.ports) {
        if (p.container !== ownPort)
          say(`publishes container port ${p.container}, but listens on ${ownPort}`);
      }
    }

    // Mounts: files from the repository exist; named volumes are declared.
    for (const m of s.volumes) {
      if (m.type === 'bind' && m.source !== undefined) {
        const source = posix.normalize(m.source);
        if (!facts.files.isFile(source) && !facts.files.isDirectory(source))
          say(`mounts ${m.source}, which does not exist`);
        if (m.target === '/docker-entrypoint-initdb.d') {
          for (const f of facts.files.list(source).filter((f) => f.endsWith('.sh'))) {
            if (!facts.files.isExecutable(posix.join(source, f)))
              say(`init script ${source}/${f} is not executable`);
          }
        }
      }
      if (m.type === 'volume' && m.source !== undefined && !project.volumes.includes(m.source)) {
        say(`uses volume ${m.source}, which is not declared under volumes`);
      }
    }
  }

  problems.push(...checkPublishedPorts(active), ...checkKafka(active));
  return problems;
}

function hasHealthcheck(s: ComposeService): boolean {
  return s.healthcheck !== undefined && !s.healthcheck.disabled && s.healthcheck.test.length > 1;
}

function toolsOf(s: ComposeService, facts: ComposeFacts): readonly string[] | undefined {
  if (s.build) return s.build.target === undefined ? undefined : facts.targetTools[s.build.target];
  if (s.image === undefined) return undefined;
  return facts.imageTools[s.image.replace(/[:@].*$/, '')];
}

function checkBuild(
  s: ComposeService,
  facts: ComposeFacts,
  cache: Map<string, Dockerfile | undefined>,
): string[] {
  const build = s.build;
  if (!build) return [];
  const out: string[] = [];
  const say = (message: string) => out.push(`service ${s.name}: ${message}`);
  const context = posix.normalize(build.context);
  if (!facts.files.isDirectory(context)) {
    say(`build context ${build.context} does not exist`);
    return out;
  }
  const path = posix.join(context, build.dockerfile);
  if (!cache.has(path)) {
    const text = facts.files.read(path);
    cache.set(path, text === undefined ? undefined : parseDockerfile(text));
  }
  const dockerfile = cache.get(path);
  if (!dockerfile) {
    say(`Dockerfile ${path} does not exist`);
    return out;
  }
  const stage = build.target === undefined ? dockerfile.stages.at(-1) : stageNamed(dockerfile, build.target);
  if (!stage) {
    say(`${path} has no stage ${build.target}`);
    return out;
  }
  const declared = declaredArgs(dockerfile, stage);
  for (const arg of Object.keys(build.args)) {
    if (!declared.has(arg))
      say(`build arg ${arg} is not declared (ARG) for stage ${stage.name ?? 'last'} of ${path}`);
  }
  if (isRootUser(effectiveUser(dockerfile, stage)))
    say(`stage ${stage.name ?? 'last'} of ${path} runs as root (no USER)`);
  for (const st of dockerfile.stages) {
    for (const source of st.contextSources) {
      if (/[*?[]/.test(source) || source === '.') continue;
      const p = posix.join(context, source);
      if (!facts.files.isFile(p) && !facts.files.isDirectory(p))
        say(`${path} copies ${source}, which does not exist`);
    }
  }
  const service = build.args.SERVICE;
  if (
    service !== undefined &&
    !facts.files.isFile(posix.join(context, 'packages', service, 'src', 'main.ts'))
  ) {
    say(`build arg SERVICE=${service}: packages/${service}/src/main.ts does not exist`);
  }
  return out;
}

/**
 * Env problems of one Node.js service against its config spec, and the port it will listen on: the
 * environment a Compose service or a stack part hands it.
 */
export function checkServiceEnv(
  environment: Readonly<Record<string, string | undefined>>,
  spec: ConfigSpec,
): { problems: string[]; port: number | undefined } {
  const problems: string[] = [];
  const known = new Set(Object.values(spec).map((v) => v.variable));
  for (const v of Object.values(spec)) {
    const value = environment[v.variable];
    if (value !== undefined) continue;
    if (v.default === undefined) problems.push(`${v.variable} is required by its config and not set`);
    else if (LOOPBACK.test(v.default)) {
      problems.push(`${v.variable} is not set: its default ${v.default} is the container itself`);
    }
  }
  for (const variable of Object.keys(environment)) {
    if (!known.has(variable) && !NODE_RUNTIME_VARS.has(variable)) {
      problems.push(`${variable} is set but its config does not read it`);
    }
  }
  const env = Object.fromEntries(
    Object.entries(environment).filter((e): e is [string, string] => e[1] !== undefined),
  );
  let port: number | undefined;
  try {
    const config = parseConfig(spec, env) as Record<string, unknown>;
    const portKey = Object.entries(spec).find(
      ([, v]) => /_PORT$/.test(v.variable) && v.variable !== 'DB_PORT',
    )?.[0];
    if (portKey !== undefined) port = config[portKey] as number;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(`its config rejects the environment: ${e.message}`);
  }
  return { problems, port };
}

/** Hosts named by a variable that points at other services: *_BROKERS, *_BOOTSTRAP_SERVERS, *_URL, *_HOSTNAME. */
export function referencedHosts(
  variable: string,
  value: string,
): { name: string; port: number | undefined }[] {
  if (!/(_BROKERS|_BOOTSTRAP_SERVERS|_URL|_HOSTNAME)$/.test(variable)) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^/:]+)(?::(\d+))?/.exec(entry);
      return { name: m?.[1] ?? entry, port: m?.[2] === undefined ? undefined : Number(m[2]) };
    });
}

function checkPublishedPorts(active: readonly ComposeService[]): string[] {
  const owners = new Map<number, string[]>();
  for (const s of active) {
    for (const p of s.ports)
      if (p.host !== undefined) owners.set(p.host, [...(owners.get(p.host) ?? []), s.name]);
  }
  return [...owners]
    .filter(([, names]) => names.length > 1)
    .map(([port, names]) => `host port ${port} is published by ${names.join(' and ')}`);
}

function listenerPorts(listeners: string | undefined): Map<string, { host: string; port: number }> {
  const out = new Map<string, { host: string; port: number }>();
  for (const entry of (listeners ?? '').split(',')) {
    const m = /^([A-Za-z_]+):\/\/([^:]*):(\d+)$/.exec(entry.trim());
    if (m) out.set(m[1] ?? '', { host: m[2] ?? '', port: Number(m[3]) });
  }
  return out;
}

/**
 * The Kafka nodes that run together form one cluster: one cluster id and quorum, controllers that exist,
 * replication no higher than the broker count, listeners the other services and the host can reach, and
 * clients that bootstrap from every broker.
 */
export function checkKafka(active: readonly ComposeService[]): string[] {
  const problems: string[] = [];
  const nodes = active.filter((s) => s.image?.startsWith('apache/kafka:'));
  if (nodes.length === 0) return problems;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const env = (n: ComposeService, key: string) => n.environment[key] ?? '';
  for (const key of ['CLUSTER_ID', 'KAFKA_CONTROLLER_QUORUM_VOTERS']) {
    const values = new Set(nodes.map((n) => env(n, key)));
    if (values.size > 1 || values.has(''))
      problems.push(`kafka nodes must share one ${key}: ${[...values].join(' / ')}`);
  }
  const ids = nodes.map((n) => env(n, 'KAFKA_NODE_ID'));
  if (new Set(ids).size !== ids.length) problems.push(`kafka node ids are not unique: ${ids.join(', ')}`);
  for (const voter of env(nodes[0] as ComposeService, 'KAFKA_CONTROLLER_QUORUM_VOTERS').split(',')) {
    const m = /^(\d+)@([^:]+):(\d+)$/.exec(voter.trim());
    const node = m ? byName.get(m[2] ?? '') : undefined;
    if (!m || !node) {
      problems.push(`controller ${voter} is not a kafka node here`);
      continue;
    }
    if (env(node, 'KAFKA_NODE_ID') !== m[1] || !env(node, 'KAFKA_PROCESS_ROLES').includes('controller')) {
      problems.push(`controller ${voter}: ${node.name} is not controller node ${m[1]}`);
    }
    if (listenerPorts(env(node, 'KAFKA_LISTENERS')).get('CONTROLLER')?.port !== Number(m[3])) {
      problems.push(`controller ${voter}: ${node.name} has no CONTROLLER listener on port ${m[3]}`);
    }
  }
  for (const n of nodes) {
    const say = (message: string) => problems.push(`service ${n.name}: ${message}`);
    if (env(n, 'KAFKA_AUTO_CREATE_TOPICS_ENABLE') !== 'false') say('must not create topics on first use');
    const listeners = listenerPorts(env(n, 'KAFKA_LISTENERS'));
    const advertised = listenerPorts(env(n, 'KAFKA_ADVERTISED_LISTENERS'));
    const inter = env(n, 'KAFKA_INTER_BROKER_LISTENER_NAME');
    if (advertised.get(inter)?.host !== n.name) say(`listener ${inter} must be advertised as ${n.name}`);
    for (const [name, a] of advertised) {
      const own = listeners.get(name);
      if (!own) say(`advertises ${name}, which it does not listen on`);
      else if (
        a.host === 'localhost' &&
        !n.ports.some((p) => p.host === a.port && p.container === own.port)
      ) {
        say(`advertises ${name} as localhost:${a.port} but does not publish ${a.port}:${own.port}`);
      }
    }
    for (const [key, value] of Object.entries(n.environment)) {
      const count = Number(value);
      if (/REPLICATION_FACTOR$/.test(key) && count > nodes.length) {
        say(`${key}=${value} but ${nodes.length} broker(s) run`);
      }
      if (
        /(MIN_ISR|MIN_INSYNC_REPLICAS)$/.test(key) &&
        count > Number(env(n, 'KAFKA_DEFAULT_REPLICATION_FACTOR'))
      ) {
        say(`${key}=${value} exceeds the replication factor`);
      }
    }
  }
  for (const s of active) {
    const brokers = s.environment.KAFKA_BROKERS;
    if (brokers === undefined || nodes.length < 2) continue;
    const listed = new Set(referencedHosts('KAFKA_BROKERS', brokers).map((h) => h.name));
    const missing = nodes.filter((n) => !listed.has(n.name)).map((n) => n.name);
    if (missing.length > 0)
      problems.push(`service ${s.name}: KAFKA_BROKERS leaves out ${missing.join(', ')}`);
  }
  return problems;
}

export interface DockerfileFacts {
  /** pnpm's version (package.json packageManager). */
  readonly pnpmVersion: string;
  /** Node.js major version of engines. */
  readonly nodeMajor: string;
}

/**
 * A service image runs its bundle with plain node (no TypeScript loader at run time): the target stage's
 * CMD is node on dist/main.js (the bundle's launcher), a stage builds it with @open-bank/build for ${SERVICE}, and
 * the target copies that dist from the stage that built it.
 */
export function checkServiceImage(dockerfile: Dockerfile, target = 'service'): string[] {
  const problems: string[] = [];
  const stage = stageNamed(dockerfile, target);
  if (!stage) return [`no stage ${target}`];
  const cmd = stage.cmd ?? [];
  if (cmd[0] !== 'node' || !cmd.includes('dist/main.js')) {
    problems.push(`stage ${target}: CMD must run node on dist/main.js, not ${JSON.stringify(cmd)}`);
  }
  if ([...cmd, ...stage.runs].some((w) => /\btsx\b/.test(w))) {
    problems.push(`stage ${target}: runs tsx; the image runs the built JavaScript`);
  }
  const builder = dockerfile.stages.find((s) =>
    s.runs.some((r) => r.includes('@open-bank/build') && /\$\{?SERVICE\}?/.test(r)),
  );
  if (!builder) {
    problems.push('no stage builds the service of build arg SERVICE with @open-bank/build');
  } else if (
    !stage.copiesFrom.some(
      (c) =>
        c.from === builder.name && c.words.some((w) => /^\/app\/packages\/\$\{?SERVICE\}?\/dist\/?$/.test(w)),
    )
  ) {
    problems.push(
      `stage ${target}: does not copy /app/packages/\${SERVICE}/dist from stage ${builder.name ?? '?'}`,
    );
  }
  return problems;
}

/** The tool versions a Dockerfile pins agree with the repository's. */
export function checkDockerfileVersions(dockerfile: Dockerfile, facts: DockerfileFacts): string[] {
  const problems: string[] = [];
  const args: Record<string, string | undefined> = { ...dockerfile.globalArgs };
  for (const s of dockerfile.stages) Object.assign(args, s.args);
  const expect = (name: string, want: string) => {
    if (args[name] !== want)
      problems.push(`ARG ${name}=${args[name] ?? '(none)'}, the repository uses ${want}`);
  };
  expect('PNPM_VERSION', facts.pnpmVersion);
  for (const s of dockerfile.stages) {
    if (s.base.startsWith('node:') && !s.base.startsWith(`node:${facts.nodeMajor}-`)) {
      problems.push(
        `stage ${s.name ?? '?'} runs ${s.base}, the repository's engines say Node.js ${facts.nodeMajor}`,
      );
    }
  }
  return problems;
}

/** A variable whoever runs Compose chooses (shell or .env), which every service reading it must receive. */
export interface HostChoice {
  readonly variable: string;
  /** What the services get when the host sets nothing (or sets it empty). */
  readonly fallback: string;
  /** Every value the host may choose. */
  readonly values: readonly string[];
}

/**
 * Every active service whose config spec reads the variable receives the host's choice, and the fallback
 * when there is none: a service that relies on its own default would silently ignore the host. The file
 * is read once per value, as Compose reads it with that variable in its environment.
 */
export function checkHostChoice(
  text: string,
  choice: HostChoice,
  facts: Pick<ComposeFacts, 'configSpecs'>,
  options: { readonly profiles?: readonly string[]; readonly vars?: Vars } = {},
): string[] {
  const { profiles = [], vars = {} } = options;
  const problems: string[] = [];
  const servicesWith = (value: string | undefined) =>
    activeServices(parseCompose(text, { ...vars, [choice.variable]: value }), profiles);
  const specOf = (s: ComposeService) => {
    const service = s.build?.args.SERVICE;
    return service === undefined ? undefined : facts.configSpecs[service];
  };
  const readers = servicesWith(undefined).filter((s) =>
    Object.values(specOf(s) ?? {}).some((v) => v.variable === choice.variable),
  );
  if (readers.length === 0) problems.push(`no service reads ${choice.variable}`);
  const cases: [string | undefined, string][] = [
    [undefined, choice.fallback],
    ['', choice.fallback],
    ...choice.values.map((v): [string, string] => [v, v]),
  ];
  for (const [hostValue, want] of cases) {
    const byName = new Map(servicesWith(hostValue).map((s) => [s.name, s]));
    const host = hostValue === undefined ? 'unset' : `'${hostValue}'`;
    for (const reader of readers) {
      const s = byName.get(reader.name);
      const spec = specOf(reader);
      if (!s || !spec) continue;
      const got = s.environment[choice.variable];
      if (got === undefined) {
        problems.push(`service ${s.name}: ${choice.variable} is not passed on (host ${host})`);
        continue;
      }
      if (got !== want) {
        problems.push(
          `service ${s.name}: ${choice.variable} is '${got}' with the host's ${host}, not '${want}'`,
        );
        continue;
      }
      const env = Object.fromEntries(
        Object.entries(s.environment).filter((e): e is [string, string] => e[1] !== undefined),
      );
      try {
        parseConfig(spec, env);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(`service ${s.name}: its config rejects ${choice.variable}=${got}: ${e.message}`);
      }
    }
  }
  return problems;
}

/** A native addon the images build, and the Debian packages its build and its loading need. */
export interface NativeBindingFacts {
  /** The repository script that builds it, run as `node <script>`. */
  readonly script: string;
  /** Compiler, make, python3 and the -dev packages of the libraries it links. */
  readonly buildPackages: readonly string[];
  /** The packages with those libraries' shared objects: all the running image needs. */
  readonly runtimePackages: readonly string[];
}

/** Packages of the `apt-get install` commands in a RUN, and whether that RUN keeps the image lean. */
function aptInstalls(run: string): { packages: string[]; noRecommends: boolean; listsRemoved: boolean }[] {
  const listsRemoved = /\brm\s+-(?:rf|fr)\s+\/var\/lib\/apt\/lists\b/.test(run);
  return run
    .split(/&&|;|\|\|/)
    .map((command) => /\bapt-get\s+(.*)$/.exec(command.trim())?.[1]?.split(/\s+/) ?? [])
    .filter((words) => words.includes('install'))
    .map((words) => {
      const args = words.slice(words.indexOf('install') + 1);
      return {
        packages: args.filter((w) => w !== '' && !w.startsWith('-')),
        noRecommends: words.includes('--no-install-recommends'),
        listsRemoved,
      };
    });
}

/** The stage and the stages it builds on (FROM another stage), itself first. */
function baseChain(dockerfile: Dockerfile, stage: DockerfileStage): DockerfileStage[] {
  const chain = [stage];
  for (;;) {
    const last = chain.at(-1) as DockerfileStage;
    const base = stageNamed(dockerfile, last.base);
    if (!base || chain.includes(base)) return chain;
    chain.push(base);
  }
}

/**
 * The distribution of an image by its tag, e.g. node:20-bookworm-slim → bookworm, node:20-alpine → alpine
 * (undefined when the tag does not say). A binding built on one distribution loads on the same one: the
 * C library and the shared libraries' versions are those it was linked against.
 */
function imageDistribution(image: string): string | undefined {
  const tag = image.split('/').at(-1)?.split(':')[1] ?? '';
  return tag
    .split('-')
    .find((part) => part !== 'slim' && !/^\d/.test(part) && part !== 'lts' && part !== 'current');
}

/**
 * The target stage can load a native binding: a stage builds it with the repository's script and the
 * build packages; the target gets it from that stage (COPY --from, directly or through other stages);
 * the target runs on the same distribution as the build (and never on musl); it installs the shared
 * libraries, without recommends and without apt lists left behind, and none of the build packages.
 */
export function checkNativeBinding(
  dockerfile: Dockerfile,
  facts: NativeBindingFacts,
  target = 'service',
): string[] {
  const problems: string[] = [];
  const stage = stageNamed(dockerfile, target);
  if (!stage) return [`no stage ${target}`];
  const runsScript = (r: string) =>
    r.split(/\s+/).some((w, i, ws) => ws[i - 1] === 'node' && w === facts.script);
  const builder = dockerfile.stages.find((s) => s.runs.some(runsScript));
  if (!builder) return [`no stage runs node ${facts.script}`];
  const name = (s: DockerfileStage) => s.name ?? '?';
  const installed = (s: DockerfileStage) =>
    baseChain(dockerfile, s).flatMap((st) => st.runs.flatMap(aptInstalls));
  const builderPackages = new Set(installed(builder).flatMap((i) => i.packages));
  const missing = facts.buildPackages.filter((p) => !builderPackages.has(p));
  if (missing.length > 0)
    problems.push(`stage ${name(builder)}: builds the binding without ${missing.join(' ')}`);
  if (
    !baseChain(dockerfile, builder).some((s) =>
      s.contextSources.some((c) => c === '.' || posix.normalize(c) === facts.script),
    )
  ) {
    problems.push(`stage ${name(builder)}: runs ${facts.script} but does not copy it in`);
  }

  // The binding travels by COPY --from (or FROM) from the builder to the target.
  const reached = new Set<DockerfileStage>();
  const visit = (s: DockerfileStage) => {
    if (reached.has(s)) return;
    reached.add(s);
    const next = [s.base, ...s.copiesFrom.map((c) => c.from)];
    for (const n of next) {
      const from = stageNamed(dockerfile, n);
      if (from) visit(from);
    }
  };
  visit(stage);
  if (!reached.has(builder))
    problems.push(`stage ${target}: does not get the binding stage ${name(builder)} builds`);

  const rootImage = (s: DockerfileStage) => baseChain(dockerfile, s).at(-1)?.base ?? '';
  const runImage = rootImage(stage);
  const buildImage = rootImage(builder);
  const runDistribution = imageDistribution(runImage);
  if (runDistribution === 'alpine') {
    problems.push(
      `stage ${target}: runs on ${runImage} (musl): the binding is built for glibc and does not load`,
    );
  } else if (runDistribution === undefined || runDistribution !== imageDistribution(buildImage)) {
    problems.push(
      `stage ${target}: runs on ${runImage}, the binding is built on ${buildImage}: not the same distribution`,
    );
  }

  const targetInstalls = installed(stage);
  const runPackages = new Set(targetInstalls.flatMap((i) => i.packages));
  const absent = facts.runtimePackages.filter((p) => !runPackages.has(p));
  if (absent.length > 0)
    problems.push(`stage ${target}: lacks the binding's shared libraries ${absent.join(' ')}`);
  const heavy = facts.buildPackages.filter((p) => runPackages.has(p));
  if (heavy.length > 0) problems.push(`stage ${target}: installs build packages ${heavy.join(' ')}`);
  for (const i of targetInstalls) {
    if (!i.noRecommends)
      problems.push(
        `stage ${target}: apt-get install ${i.packages.join(' ')} without --no-install-recommends`,
      );
    if (!i.listsRemoved)
      problems.push(
        `stage ${target}: apt-get install ${i.packages.join(' ')} leaves /var/lib/apt/lists in the image`,
      );
  }
  return problems;
}
