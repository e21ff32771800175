import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, version as esbuildVersion, type Metafile, type Plugin } from 'esbuild';
import { BUNDLE_FILE, WARM_ENV } from './bundle-files.ts';

/** The repository root, found from this file's place in it (packages/build/src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Packages (folders under packages/) whose src/main.ts runs as a process: each becomes dist/main.js. */
export const SERVICES = [
  'schema-registry',
  'synchronizer',
  'command-handler',
  'graphql-endpoint',
  'command-generator',
  'heartbeat',
  'frontend-server',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Left to node_modules at run time. Confluent's Kafka client is a native addon, which a bundle cannot hold
 * (like every adapter it is loaded by a dynamic import only when KAFKA_CLIENT names it); GraphiQL's
 * megabytes of assets are found by path and imported only when turned on; pg-native is pg's optional
 * native driver, never installed. @platformatic/kafka is bundled: loaded from node_modules it is some 300
 * files, whose loading alone took 0.7 s of CPU at every start (see platformaticWasm for its one asset).
 */
export const EXTERNAL = [
  '@confluentinc/kafka-javascript',
  '@graphql-yoga/render-graphiql',
  'pg-native',
] as const;

/** What a build was made from, written next to it: the staleness check reads it. */
export interface BuildRecord {
  readonly version: 1;
  /** Date.now() just before esbuild read the sources. */
  readonly startedMs: number;
  /** Hash of the settings below and the esbuild version: a change of either rebuilds. */
  readonly key: string;
  /** Every file the bundle was made from (absolute), plus the lockfile and this build code. */
  readonly inputs: readonly string[];
}

export const RECORD_FILE = 'build.json';

/**
 * One CommonJS file per service, dist/bundle.cjs, run by the launcher dist/main.js (launcher.ts) with V8's
 * code cache: node then loads one file instead of a few thousand modules (that, and not running a
 * TypeScript loader, is most of the start time saved), and after the first start compiles none of it. One
 * file holds every Kafka adapter; each is wrapped by esbuild to run only when KAFKA_CLIENT names it, so the
 * others cost bytes on disk, not start time. Code reading import.meta.url gets the bundle's URL.
 */
function options(pkgDir: string, outdir: string): BuildOptions {
  return {
    absWorkingDir: pkgDir,
    entryPoints: { [BUNDLE_FILE.replace(/\.cjs$/, '')]: 'src/main.ts' },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Stack traces name the .ts files when node runs with --enable-source-maps (NODE_OPTIONS); it costs the
    // start about a tenth of a second of reading the map, so the services do not turn it on themselves.
    sourcemap: 'linked',
    sourcesContent: false,
    external: [...EXTERNAL],
    // Class and function names stay as written: logs, errors and prom-client's names rely on them.
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [platformaticWasm],
    define: { 'import.meta.url': '__obImportMetaUrl' },
    banner: { js: "const __obImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
}

/** The launcher, dist/main.js: a few lines of ESM that run the bundle (see launcher.ts). */
function launcherOptions(outdir: string): BuildOptions {
  return {
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'launcher.ts')],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
  };
}

/** The WebAssembly file of @platformatic/wasm-utils (crc32c, lz4, snappy), which reads it beside its code. */
const WASM_UTILS = /[\\/]@platformatic[\\/]wasm-utils[\\/]dist[\\/]index\.js$/;
const WASM_URL = "new URL('../dist/native.wasm', import.meta.url)";
export const WASM_FILE = 'platformatic-native.wasm';

/**
 * @platformatic/wasm-utils finds its .wasm by a URL relative to its own module, which in the bundle is the
 * chunk it lands in: the URL is pointed at a file of that name there, and copyWasm puts the file beside it.
 */
const platformaticWasm: Plugin = {
  name: 'platformatic-wasm',
  setup(b) {
    b.onLoad({ filter: WASM_UTILS }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes(WASM_URL))
        throw new Error(`${args.path} no longer loads its .wasm as ${WASM_URL}: revisit the build's plugin`);
      return { contents: code.replace(WASM_URL, `new URL('./${WASM_FILE}', import.meta.url)`), loader: 'js' };
    });
  },
};

/** Copies the .wasm next to each output that holds @platformatic/wasm-utils (see platformaticWasm). */
function copyWasm(metafile: Metafile, pkgDir: string): void {
  for (const [out, meta] of Object.entries(metafile.outputs)) {
    const source = Object.keys(meta.inputs).find((i) => WASM_UTILS.test(i));
    if (!source) continue;
    copyFileSync(
      join(dirname(resolve(pkgDir, source)), 'native.wasm'),
      join(dirname(resolve(pkgDir, out)), WASM_FILE),
    );
  }
}

/** Key of the build settings: the same for every service (the package folder is left out). */
export function settingsKey(): string {
  const { absWorkingDir: _dir, outdir: _out, ...rest } = options('', '');
  return createHash('sha256').update(JSON.stringify({ esbuildVersion, rest })).digest('hex').slice(0, 16);
}

/** The build code itself and the lockfile: a change of either can change every bundle. */
function extraInputs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [
    fileURLToPath(import.meta.url),
    join(here, 'launcher.ts'),
    join(here, 'bundle-files.ts'),
    join(REPO_ROOT, 'pnpm-lock.yaml'),
  ];
}

/**
 * Why the build must be redone, or null when it is current. `mtimeOf` answers undefined for a missing
 * file. An input modified in the millisecond the build started counts as changed: it may have been read
 * before the write.
 */
export function staleReason(
  record: BuildRecord | undefined,
  key: string,
  mtimeOf: (path: string) => number | undefined,
): string | null {
  if (record === undefined) return 'no build yet';
  if (record.version !== 1 || record.key !== key) return 'the build settings changed';
  for (const input of record.inputs) {
    const mtime = mtimeOf(input);
    if (mtime === undefined) return `${relative(REPO_ROOT, input)} is gone`;
    if (mtime >= record.startedMs) return `${relative(REPO_ROOT, input)} changed`;
  }
  return null;
}

export function packageDir(service: string, root = REPO_ROOT): string {
  return join(root, 'packages', service);
}

/** The file node runs: packages/<service>/dist/main.js. */
export function builtEntry(service: string, root = REPO_ROOT): string {
  return join(packageDir(service, root), 'dist', 'main.js');
}

export function readRecord(dist: string): BuildRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dist, RECORD_FILE), 'utf8')) as BuildRecord;
  } catch {
    return undefined;
  }
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Why packages/<service>/dist is out of date, or null. A few thousand stat calls: milliseconds. */
export function serviceStaleReason(service: string, root = REPO_ROOT): string | null {
  return staleReason(readRecord(join(packageDir(service, root), 'dist')), settingsKey(), mtimeOf);
}

export interface BuildResult {
  readonly service: string;
  readonly ms: number;
  readonly bytes: number;
}

/**
 * Runs the fresh bundle's module code once, so that its code cache exists before the first start (which
 * otherwise compiles the whole bundle: 0.25–0.77 s to connected and serving instead of 0.13–0.47 s). The
 * launcher leaves at once in this mode (see launcher.ts); a warm-up that fails only costs that first start
 * its speed, so it does not fail the build.
 */
async function warmCache(dist: string): Promise<void> {
  const warmed = await new Promise<boolean>((resolveWarm) => {
    execFile(
      process.execPath,
      [join(dist, 'main.js')],
      { env: { PATH: process.env.PATH ?? '', [WARM_ENV]: '1' }, timeout: 30_000 },
      (error) => resolveWarm(error === null),
    );
  });
  if (!warmed) process.stderr.write(`build: ${dist}: no code cache written ahead of the first start\n`);
}

/**
 * Bundles packages/<service>/src/main.ts into packages/<service>/dist. The bundle goes to a sibling scratch
 * folder first (same depth, so the source map's relative paths hold) and replaces dist in one rename: a
 * process of another profile starting from dist never reads half a build.
 */
export async function buildService(service: string, root = REPO_ROOT): Promise<BuildResult> {
  const dir = packageDir(service, root);
  if (!existsSync(join(dir, 'src', 'main.ts')))
    throw new Error(`packages/${service}/src/main.ts does not exist`);
  const dist = join(dir, 'dist');
  const scratch = join(dir, `.dist-${process.pid}`);
  const old = join(dir, `.dist-old-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  const startedMs = Date.now();
  const t0 = performance.now();
  try {
    const [result] = await Promise.all([build(options(dir, scratch)), build(launcherOptions(scratch))]);
    if (result.metafile) copyWasm(result.metafile, dir);
    const inputs = Object.keys(result.metafile?.inputs ?? {}).map((p) => resolve(dir, p));
    const record: BuildRecord = {
      version: 1,
      startedMs,
      key: settingsKey(),
      inputs: [...inputs, ...extraInputs()],
    };
    writeFileSync(join(scratch, RECORD_FILE), `${JSON.stringify(record)}\n`);
    await warmCache(scratch);
    const bytes = statSync(join(scratch, BUNDLE_FILE)).size;
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(scratch, dist);
    rmSync(old, { recursive: true, force: true });
    return { service, ms: performance.now() - t0, bytes };
  } catch (e) {
    rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
}
