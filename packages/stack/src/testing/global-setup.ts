// Global setup of vitest's int project: the `test` profile of the stack, fresh for every run.
// STACK_REUSE=1 keeps it between runs instead (start it if needed, never stop it) for fast iteration;
// STACK_ONLY=<parts>|all chooses what starts (default for now: kafka,postgres, until the registry and the
// synchronizer entries are ready).
import { boolean, envVar, integer, parseConfig, text } from '@open-bank/config';
import type { TestProject } from 'vitest/node';
import { stackSettings } from '../settings.ts';
import { down, up, wipeProfile } from '../stack.ts';
import './index.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const own = parseConfig(
    {
      reuse: envVar('STACK_REUSE', boolean(), { default: 'false' }),
      only: envVar('STACK_ONLY', text(), { default: 'kafka,postgres' }),
      // Several people (or agents) may run int tests on one machine at once: each picks its own profile
      // and port offset so the stacks do not collide.
      profile: envVar('STACK_TEST_PROFILE', text({ max: 40, pattern: /^[a-z0-9-]+$/ }), { default: 'test' }),
      portOffset: envVar('STACK_TEST_PORT_OFFSET', integer({ min: 0, max: 50_000 }), { default: '10000' }),
    },
    process.env,
  );
  const PROFILE = own.profile;
  const settings = stackSettings(
    { profile: PROFILE, brokers: undefined, portOffset: own.portOffset },
    process.env,
  );
  const lines: string[] = [];
  const options = { env: process.env, log: (m: string) => lines.push(m) };
  const only = own.only === 'all' ? undefined : own.only.split(',').map((s) => s.trim());
  try {
    if (!own.reuse) {
      // A previous run that was killed may have left its stack behind.
      await down(settings, options);
      wipeProfile(PROFILE);
    }
    const result = await up(settings, { ...options, ...(only ? { only } : {}) });
    project.provide('stackEnv', result.env);
    process.stdout.write(
      `[stack] ${PROFILE} stack ${own.reuse ? 'ready (STACK_REUSE)' : 'up'} in ${result.seconds.toFixed(1)}s: ` +
        `${result.listening.map((l) => `${l.name} ${l.url}`).join(', ')}\n`,
    );
  } catch (e) {
    process.stderr.write(`[stack] starting the ${PROFILE} stack failed:\n${lines.join('\n')}\n`);
    throw e;
  }
  if (own.reuse) return undefined;
  return async () => {
    const r = await down(settings, options);
    process.stdout.write(`[stack] ${PROFILE} stack down in ${r.seconds.toFixed(1)}s\n`);
  };
}
