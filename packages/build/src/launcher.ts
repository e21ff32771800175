/**
 * dist/main.js of every service: runs the CommonJS bundle beside it (bundle.cjs) with V8's code cache.
 *
 * Most of a service's start was V8 parsing and compiling the megabytes of its bundle (a fifth to a quarter
 * of the endpoint's start CPU). Node 20 keeps no compile cache of its own, so the bundle runs through
 * vm.Script, which accepts one: the first start compiles as usual and, once it has run a while (so the
 * functions the start needed are compiled too), writes the cache beside the bundle; later starts
 * deserialise it instead of compiling. V8 checks the cache against the source and its own version and
 * flags: a stale one is rejected and written again, so a cache can cost a start its speed, never its
 * correctness. A rebuild replaces dist/ as a whole, the cache with it.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { BUNDLE_FILE, CACHE_FILE, IMPORTER, WARM_ENV, WARM_MARK_FILE } from './bundle-files.ts';

/** After this long the start's functions have been compiled; writing the cache then takes a few ms. */
const WRITE_CACHE_AFTER_MS = 3_000;

interface NodeModule {
  filename: string;
  paths: string[];
  loaded: boolean;
  exports: unknown;
}
type ModuleClass = (new (
  id: string,
  parent: null,
) => NodeModule) & {
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
};

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written under a temporary name and renamed: instances starting together never read half a cache. */
function writeCache(path: string, data: Buffer): void {
  const scratch = `${path}.${process.pid}`;
  try {
    writeFileSync(scratch, data);
    renameSync(scratch, path);
  } catch {
    // A read-only dist (an image without write access) only means every start compiles.
    rmSync(scratch, { force: true });
  }
}

/**
 * import() inside the bundle fails: Node 20 loses a vm.Script's dynamic-import callback when the script comes
 * from a code cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING on every start after the first), so none is
 * given, and the few places that load an ES module at run time (GraphiQL's assets) call this instead,
 * which imports from this real ES module. Without the launcher (tsx, tests) they fall back to import().
 */
(globalThis as { [IMPORTER]?: (specifier: string) => Promise<unknown> })[IMPORTER] = (specifier) =>
  import(specifier);

function runBundle(dir: string): void {
  const file = join(dir, BUNDLE_FILE);
  const cacheFile = join(dir, CACHE_FILE);
  const cachedData = readCache(cacheFile);
  const M = Module as unknown as ModuleClass;
  const script = new vm.Script(M.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const mod = new M(file, null);
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dir);
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeRequire,
    module: NodeModule,
    filename: string,
    dirname: string,
  ) => void;
  const warmMark = join(dir, WARM_MARK_FILE);
  const warm = process.env[WARM_ENV] === '1';
  run(mod.exports, createRequire(file), mod, file, dir);
  mod.loaded = true;
  if (warm) {
    // The build's warm-up: the bundle's module code has run (every dependency initialised, the bulk of a
    // start's compiling); its cache is written now and the process leaves before main() gets past its first
    // await, so nothing is connected or served.
    writeCache(cacheFile, script.createCachedData());
    writeFileSync(warmMark, '');
    process.exit(0);
  }
  const warmOnly = existsSync(warmMark);
  if (cachedData === undefined || script.cachedDataRejected === true || warmOnly) {
    setTimeout(() => {
      writeCache(cacheFile, script.createCachedData());
      if (warmOnly) rmSync(warmMark, { force: true });
    }, WRITE_CACHE_AFTER_MS).unref();
  }
}

runBundle(dirname(fileURLToPath(import.meta.url)));
