import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_FILE, CACHE_FILE, IMPORTER, WARM_ENV, WARM_MARK_FILE } from './bundle-files.ts';
import { buildService } from './service-build.ts';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'open-bank-launcher-'));
const dist = join(root, 'packages', 'probe', 'dist');

// A service of its own (no top-level await: the bundle is CommonJS): reports where import.meta.url points, that an ES module import through the
// launcher's importer works inside the bundle (import() itself cannot, see launcher.ts), and that it runs as the process's code; stays a moment so the cache is written.
mkdirSync(join(root, 'packages', 'probe', 'src'), { recursive: true });
writeFileSync(
  join(root, 'packages', 'probe', 'src', 'main.ts'),
  `globalThis.${IMPORTER}('node:os').then((os) => {
  process.stdout.write(JSON.stringify({ url: import.meta.url, eol: os.EOL === '\\n', argv: process.argv.slice(2) }) + '\\n');
  setTimeout(() => undefined, Number(process.env.PROBE_STAY_MS ?? 0));
});
`,
);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function start(stayMs: number) {
  const { stdout } = await run(process.execPath, [join(dist, 'main.js'), 'a', 'b'], {
    env: { ...process.env, PROBE_STAY_MS: String(stayMs) },
  });
  return JSON.parse(stdout) as { url: string; eol: boolean; argv: string[] };
}

describe('the launcher (dist/main.js)', () => {
  it('runs the bundle, writes the code cache after a while, and starts again from it or past a bad one', async () => {
    await buildService('probe', root);
    // The build ran the bundle's module code once and left a cache for the first start, marked as such.
    const warm = readFileSync(join(dist, CACHE_FILE));
    expect(warm.length).toBeGreaterThan(0);
    expect(statSync(join(dist, WARM_MARK_FILE)).isFile()).toBe(true);

    const quick = await start(0);
    expect(quick).toEqual({ url: `file://${join(dist, BUNDLE_FILE)}`, eol: true, argv: ['a', 'b'] });
    // A process gone before the cache is due writes none: no half-made cache from a failed start.
    expect(readFileSync(join(dist, CACHE_FILE)).equals(warm)).toBe(true);

    // The first start that runs a while replaces the warm-up's cache with its own, fuller one.
    expect(await start(3_500)).toEqual(quick);
    const cache = readFileSync(join(dist, CACHE_FILE));
    expect(cache.length).toBeGreaterThan(warm.length);
    expect(() => statSync(join(dist, WARM_MARK_FILE))).toThrow();

    // An accepted cache is left as it is.
    expect(await start(3_500)).toEqual(quick);
    expect(readFileSync(join(dist, CACHE_FILE)).equals(cache)).toBe(true);

    // One V8 rejects (another version, a corrupt file) costs speed, not the start, and is replaced.
    writeFileSync(join(dist, CACHE_FILE), Buffer.from('not a code cache'));
    expect(await start(3_500)).toEqual(quick);
    expect(readFileSync(join(dist, CACHE_FILE)).toString()).not.toBe('not a code cache');
  }, 60_000);

  it("warms the cache without running the service past its main's first await", async () => {
    rmSync(join(dist, CACHE_FILE), { force: true });
    const { stdout } = await run(process.execPath, [join(dist, 'main.js')], {
      env: { ...process.env, [WARM_ENV]: '1', PROBE_STAY_MS: '5000' },
    });
    // The probe writes its line only once an import resolved: the warm-up left before that.
    expect(stdout).toBe('');
    expect(readFileSync(join(dist, CACHE_FILE)).length).toBeGreaterThan(0);
  });
});
