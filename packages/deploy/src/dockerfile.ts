/** The parts of a Dockerfile the checks need: stages, build arguments, users, copied paths. */
export interface DockerfileStage {
  readonly name: string | undefined;
  /** The FROM image or stage, with global ARG defaults substituted. */
  readonly base: string;
  readonly args: Readonly<Record<string, string | undefined>>;
  /** The last USER of the stage itself (undefined: inherited from the base). */
  readonly user: string | undefined;
  /** Sources of COPY/ADD from the build context (not --from another stage). */
  readonly contextSources: readonly string[];
  /** The stage's RUN commands as written (ARGs not substituted). */
  readonly runs: readonly string[];
  /** COPY --from=<stage>: the stage named and the words after the flags, as written. */
  readonly copiesFrom: readonly { readonly from: string; readonly words: readonly string[] }[];
  /** The last CMD of the stage: JSON array form as its words, shell form split on spaces. */
  readonly cmd: readonly string[] | undefined;
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  readonly globalArgs: Readonly<Record<string, string | undefined>>;
  readonly stages: readonly DockerfileStage[];
}

interface Instruction {
  readonly keyword: string;
  readonly rest: string;
}

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (current === '' && /^\s*#/.test(line)) continue;
    // A comment line inside a continued instruction is dropped, as Docker does.
    if (current !== '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(current);
    if (m) out.push({ keyword: (m[1] ?? '').toUpperCase(), rest: (m[2] ?? '').trim() });
    current = '';
  }
  return out;
}

function argDecl(rest: string): [string, string | undefined] {
  const eq = rest.indexOf('=');
  if (eq < 0) return [rest.trim(), undefined];
  return [
    rest.slice(0, eq).trim(),
    rest
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1'),
  ];
}

function substitute(text: string, args: Readonly<Record<string, string | undefined>>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, b) => args[a ?? b] ?? '',
  );
}

/** Words of a COPY/ADD line without its flags; JSON array form included. */
function copyWords(rest: string): { from: string | undefined; words: string[] } {
  let from: string | undefined;
  let body = rest;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(body);
    if (!m) break;
    if (m[1] === 'from') from = m[2];
    body = body.slice(m[0].length);
  }
  if (body.startsWith('[')) {
    try {
      return { from, words: JSON.parse(body) as string[] };
    } catch {
      // not JSON: read as words
    }
  }
  return { from, words: body.split(/\s+/).filter((w) => w !== '') };
}

function cmdWords(rest: string): string[] {
  if (rest.startsWith('[')) {
    try {
      const words: unknown = JSON.parse(rest);
      if (Array.isArray(words)) return words.map(String);
    } catch {
      // not JSON: shell form
    }
  }
  return rest.split(/\s+/).filter((w) => w !== '');
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string | undefined> = {};
  const stages: {
    name: string | undefined;
    base: string;
    args: Record<string, string | undefined>;
    user: string | undefined;
    contextSources: string[];
    runs: string[];
    copiesFrom: { from: string; words: string[] }[];
    cmd: string[] | undefined;
  }[] = [];
  for (const { keyword, rest } of instructions(text)) {
    const stage = stages.at(-1);
    if (keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({
        name: m?.[2],
        base: substitute(m?.[1] ?? rest, globalArgs),
        args: {},
        user: undefined,
        contextSources: [],
        runs: [],
        copiesFrom: [],
        cmd: undefined,
      });
    } else if (keyword === 'ARG') {
      const [name, value] = argDecl(rest);
      if (stage) stage.args[name] = value;
      else globalArgs[name] = value;
    } else if (stage && keyword === 'USER') {
      stage.user = rest.split(':')[0];
    } else if (stage && (keyword === 'COPY' || keyword === 'ADD')) {
      const { from, words } = copyWords(rest);
      if (from === undefined) stage.contextSources.push(...words.slice(0, -1));
      else stage.copiesFrom.push({ from, words });
    } else if (stage && keyword === 'RUN') {
      stage.runs.push(rest);
    } else if (stage && keyword === 'CMD') {
      stage.cmd = cmdWords(rest);
    }
  }
  return { globalArgs, stages };
}

export function stageNamed(dockerfile: Dockerfile, name: string): DockerfileStage | undefined {
  return dockerfile.stages.find((s) => s.name === name);
}

/** The user a stage runs as: its own USER, else its base stage's; undefined when it comes from an image. */
export function effectiveUser(dockerfile: Dockerfile, stage: DockerfileStage): string | undefined {
  if (stage.user !== undefined) return stage.user;
  const base = stageNamed(dockerfile, stage.base);
  return base && base !== stage ? effectiveUser(dockerfile, base) : undefined;
}

/** Build arguments a stage can read: global ones and those declared in it or in the stages it builds on. */
export function declaredArgs(dockerfile: Dockerfile, stage: DockerfileStage): Set<string> {
  const names = new Set([...Object.keys(dockerfile.globalArgs), ...Object.keys(stage.args)]);
  const base = stageNamed(dockerfile, stage.base);
  if (base && base !== stage) for (const n of declaredArgs(dockerfile, base)) names.add(n);
  return names;
}

export function isRootUser(user: string | undefined): boolean {
  return user === undefined || user === 'root' || user === '0';
}
