import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PartFailedError } from './errors.ts';
import { withFileLock } from './file-lock.ts';
import { runToEnd } from './processes.ts';

/** What a build of packages/frontend is made from (dependencies aside). */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json'];

/** Why the frontend must be built, or null when its build is newer than every source file. */
export function buildReason(builtMs: number | null, newestSourceMs: number): string | null {
  if (builtMs === null) return 'no build yet';
  if (newestSourceMs > builtMs) return 'sources changed since the last build';
  return null;
}

/** Newest modification time under the given files and folders (0 when none exist). */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(path);
    } catch {
      return;
    }
    newest = Math.max(newest, info.mtimeMs);
    if (info.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  for (const p of paths) visit(p);
  return newest;
}

function builtAt(dist: string): number | null {
  try {
    return statSync(join(dist, 'index.html')).mtimeMs;
  } catch {
    return null;
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface FrontendBuildOptions {
  /** packages/frontend */
  readonly dir: string;
  /** Serialises builds of every profile: they share one dist folder. */
  readonly lockFile: string;
  readonly logFile: string;
  readonly env: Readonly<Record<string, string>>;
  readonly log: (message: string) => void;
}

/**
 * Builds packages/frontend into its dist folder when that is missing or older than the sources. The build
 * goes to a scratch folder first and replaces dist in one rename, so a server already serving dist (another
 * profile's) never sees half a build.
 */
export async function ensureFrontendBuilt(options: FrontendBuildOptions): Promise<void> {
  const { dir } = options;
  const dist = join(dir, 'dist');
  await withFileLock(options.lockFile, 'frontend build', 300_000, async () => {
    const reason = buildReason(builtAt(dist), newestMtime(SOURCES.map((s) => join(dir, s))));
    if (reason === null) return;
    const vite = join(dir, 'node_modules', 'vite', 'bin', 'vite.js');
    if (!existsSync(vite)) {
      throw new PartFailedError('frontend', `${vite} is missing: run pnpm install first`);
    }
    options.log(`frontend: building the app (${reason})`);
    const t0 = Date.now();
    const scratch = join(dir, 'node_modules', `.build-${process.pid}`);
    const old = join(dir, 'node_modules', `.old-build-${process.pid}`);
    const code = await runToEnd(
      {
        command: process.execPath,
        args: [vite, 'build', '--outDir', scratch, '--emptyOutDir', '--logLevel', 'warn'],
        env: options.env,
        cwd: dir,
      },
      options.logFile,
      300_000,
    ).catch((e: Error) => {
      throw new PartFailedError(
        'frontend',
        `building the frontend failed: ${e.message}`,
        tail(options.logFile),
      );
    });
    if (code !== 0) {
      rmSync(scratch, { recursive: true, force: true });
      throw new PartFailedError(
        'frontend',
        `building the frontend failed (exit ${code})`,
        tail(options.logFile),
      );
    }
    if (existsSync(dist)) renameSync(dist, old);
    renameSync(scratch, dist);
    rmSync(old, { recursive: true, force: true });
    options.log(`frontend: built in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });
}
