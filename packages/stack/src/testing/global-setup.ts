// Global setup of vitest's int project: the `test` profile of the stack (ports +10000), fresh for a run.
// Several test runs in one working tree share it: each holds a lease, the first one wipes and starts the
// stack, the last one to finish stops it. STACK_REUSE=1 keeps it between runs instead (start it if
// needed, never stop it) for fast iteration. STACK_ONLY=kafka,postgres starts only those parts.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boolean, envVar, integer, parseConfig, text } from '@open-bank/config';
import type { TestProject } from 'vitest/node';
import { holderAlive, holderTag, withFileLock } from '../file-lock.ts';
import { INFRA_PARTS } from '../parts.ts';
import { REPO_ROOT } from '../paths.ts';
import { stackSettings } from '../settings.ts';
import { down, up, wipeProfile } from '../stack.ts';
import './index.ts';

// STACK_TEST_PROFILE / STACK_TEST_PORT_OFFSET give a run a stack of its own, apart from the shared one,
// for work whose tests must own their consumer groups (e.g. killing a service mid-load).
const selection = parseConfig(
  {
    profile: envVar('STACK_TEST_PROFILE', text({ max: 40, pattern: /^[a-z0-9-]+$/ }), { default: 'test' }),
    portOffset: envVar('STACK_TEST_PORT_OFFSET', integer({ min: 0, max: 50_000 }), { default: '10000' }),
  },
  process.env,
);
const PROFILE = selection.profile;
// Outside .stack/<profile>, which a fresh start wipes.
const LEASES = join(REPO_ROOT, '.stack', `${PROFILE}-leases`);
const LEASE_LOCK = join(REPO_ROOT, '.stack', `${PROFILE}-leases.lock`);

function liveLeases(): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(LEASES);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const alive = holderAlive(name.replace('_', ' '));
    if (!alive) rmSync(join(LEASES, name), { force: true });
    return alive;
  });
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const own = parseConfig(
    {
      reuse: envVar('STACK_REUSE', boolean(), { default: 'false' }),
      // The int tier starts the bank's services itself where it needs them (and kills them, to test
      // recovery); the e2e tier drives the whole bank through a browser, so it gets everything.
      only: envVar('STACK_ONLY', text(), { default: project.name === 'e2e' ? 'all' : INFRA_PARTS.join(',') }),
    },
    process.env,
  );
  const settings = stackSettings(
    { profile: PROFILE, brokers: undefined, portOffset: selection.portOffset },
    process.env,
  );
  const lines: string[] = [];
  const options = { env: process.env, log: (m: string) => lines.push(m) };
  const only = own.only === 'all' ? undefined : own.only.split(',').map((s) => s.trim());
  const lease = join(LEASES, holderTag().replace(' ', '_'));

  await withFileLock(LEASE_LOCK, 'test stack leases', 600_000, async () => {
    const shared = liveLeases().length > 0;
    try {
      if (!own.reuse && !shared) {
        // A previous run that was killed may have left its stack behind.
        await down(settings, options);
        wipeProfile(PROFILE);
      }
      const result = await up(settings, { ...options, ...(only ? { only } : {}) });
      project.provide('stackEnv', result.env);
      process.stdout.write(
        `[stack] ${PROFILE} stack ${own.reuse ? 'reused (STACK_REUSE)' : shared ? 'shared with another run' : 'up'}` +
          ` in ${result.seconds.toFixed(1)}s: ${result.listening.map((l) => `${l.name} ${l.url}`).join(', ')}\n`,
      );
    } catch (e) {
      process.stderr.write(`[stack] starting the ${PROFILE} stack failed:\n${lines.join('\n')}\n`);
      throw e;
    }
    if (!own.reuse) {
      mkdirSync(LEASES, { recursive: true });
      writeFileSync(lease, '');
    }
  });
  if (own.reuse) return undefined;

  return async () => {
    await withFileLock(LEASE_LOCK, 'test stack leases', 600_000, async () => {
      rmSync(lease, { force: true });
      if (liveLeases().length > 0) {
        process.stdout.write(`[stack] ${PROFILE} stack left up for another test run\n`);
        return;
      }
      const r = await down(settings, options);
      process.stdout.write(`[stack] ${PROFILE} stack down in ${r.seconds.toFixed(1)}s\n`);
    });
  };
}
