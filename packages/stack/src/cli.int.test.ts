import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profilePaths, REPO_ROOT, TSX_BIN } from './paths.ts';
import { groupMembers, isAlive, markedProcesses, portIsFree } from './processes.ts';
import type { PartStatus } from './stack.ts';

const CLI = join(REPO_ROOT, 'packages', 'stack', 'src', 'cli.ts');

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      TSX_BIN,
      [CLI, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Its own profile and ports (+13500), so it runs beside the int tests' stack and a dev stack.
const PROFILE = ['--profile', 'lifecycle', '--port-offset', '13500'];
const PARTS = ['kafka', 'postgres', 'schema-registry'];

describe('pnpm stack', () => {
  // A test that failed half-way leaves its profile running; the next run would find the ports taken.
  afterAll(async () => {
    await cli(['down', ...PROFILE, '--wipe']);
  });

  it('brings a profile up, reports it, keeps it on a second up, and leaves nothing behind on down', async () => {
    const first = await cli(['up', ...PROFILE, '--brokers', '1', '--fresh', '--only', PARTS.join(',')]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Stack 'lifecycle' is up");
    expect(first.stdout).toContain('KAFKA_BROKERS=127.0.0.1:22592');

    const rows = JSON.parse((await cli(['status', ...PROFILE, '--json'])).stdout) as PartStatus[];
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('kafka-1')).toMatchObject({ state: 'running', healthy: true, ports: [22592, 22593] });
    expect(byName.get('postgres')).toMatchObject({ state: 'running', healthy: true, ports: [18933] });
    const registry = byName.get('schema-registry');
    if (registry?.state !== 'skipped') expect(registry).toMatchObject({ state: 'running', healthy: true });
    const running = rows.filter((r) => r.state === 'running');
    const pids = running.flatMap((r) => (r.pid ? [r.pid, ...groupMembers(r.pid)] : []));
    expect(pids.length).toBeGreaterThanOrEqual(2);

    const again = await cli(['up', ...PROFILE, '--only', PARTS.join(',')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('kafka-1: healthy (was running)');
    const after = JSON.parse((await cli(['status', ...PROFILE, '--json'])).stdout) as PartStatus[];
    expect(after.filter((r) => r.state === 'running').map((r) => r.pid)).toEqual(running.map((r) => r.pid));

    const down = await cli(['down', ...PROFILE, '--wipe']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("stack 'lifecycle' is down");
    expect(pids.filter((p) => isAlive(p))).toEqual([]);
    const stackDir = profilePaths('lifecycle').stackDir;
    expect(markedProcesses(stackDir)).toEqual([]);
    for (const port of running.flatMap((r) => r.ports)) expect(await portIsFree(port)).toBe(true);
    expect(existsSync(stackDir)).toBe(false);
  });

  it('stops with a message naming a badly configured variable', async () => {
    const r = await cli(['status', ...PROFILE], { DB_PORT: 'abc' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/DB_PORT: must be a port number/);

    const heap = await cli(['up', ...PROFILE], { KAFKA_HEAP_OPTS: '' });
    expect(heap.code).not.toBe(0);
    expect(heap.stderr).toMatch(/KAFKA_HEAP_OPTS/);
    expect(existsSync(profilePaths('lifecycle').stateFile)).toBe(false);
  });

  it('rejects a broker count it does not support', async () => {
    const r = await cli(['up', ...PROFILE, '--brokers', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--brokers must be 1 or 3/);
  });
});
