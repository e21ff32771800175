import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PrerequisiteError } from './errors.ts';

const HOW_TO_GET = 'on Debian/Ubuntu: apt-get install openjdk-17-jre-headless maven';

/** Major Java version from `java -version` output ("17.0.15", or "1.8.0_392" for Java 8). */
export function javaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) return { ok: false, output: r.error.message };
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Java 17+ and Maven on PATH; otherwise one error naming everything missing and how to get it. */
export function checkJavaAndMaven(): void {
  const missing: string[] = [];
  const java = run('java', ['-version']);
  const major = java.ok ? javaMajor(java.output) : undefined;
  if (!java.ok) missing.push('Java 17+ (`java -version` failed)');
  else if (major === undefined || major < 17) missing.push(`Java 17+ (found: ${java.output.split('\n')[0]})`);
  if (!run('mvn', ['-v']).ok) missing.push('Maven (`mvn -v` failed)');
  if (missing.length > 0) {
    throw new PrerequisiteError(
      `the local Kafka broker needs ${missing.join(' and ')} on PATH; ${HOW_TO_GET}. ` +
        'To install without it (e.g. in a Docker build), set OPEN_BANK_SKIP_KAFKA_FETCH=1.',
    );
  }
}

export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function libsUpToDate(libsDir: string, marker: string, pomHash: string): boolean {
  if (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== pomHash) return false;
  return readdirSync(libsDir).some((f) => f.startsWith('kafka_2.13-') && f.endsWith('.jar'));
}

/**
 * Copies the runtime classpath of the pom into libsDir with Maven. Skipped when the marker holds the hash
 * of the same pom; a changed pom replaces the directory, so no stale jar of another version stays.
 */
export function fetchKafkaLibs(opts: { pom: string; libsDir: string; marker: string }): 'fetched' | 'cached' {
  const hash = fileSha256(opts.pom);
  if (existsSync(opts.libsDir) && libsUpToDate(opts.libsDir, opts.marker, hash)) return 'cached';
  rmSync(opts.libsDir, { recursive: true, force: true });
  mkdirSync(opts.libsDir, { recursive: true });
  const r = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      opts.pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${opts.libsDir}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.error || r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new PrerequisiteError(
      `fetching the Kafka broker with Maven failed (${r.error?.message ?? `exit code ${r.status}`}):\n${output}`,
    );
  }
  writeFileSync(opts.marker, `${hash}\n`);
  return 'fetched';
}
