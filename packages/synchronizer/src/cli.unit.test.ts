import { ConfigError, parseConfig } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import { helpText, parseArgs, verdict } from './cli.ts';
import { synchronizerConfigSpec } from './config.ts';
import { UsageError } from './errors.ts';
import type { SyncResult } from './synchronize.ts';

describe('parseArgs', () => {
  it('reads the flags', () => {
    expect(parseArgs([])).toEqual({ help: false, dryRun: false, strict: false, deleteUnknown: true });
    expect(parseArgs(['--dry-run', '--strict', '--no-delete', '--'])).toEqual({
      help: false,
      dryRun: true,
      strict: true,
      deleteUnknown: false,
    });
    expect(parseArgs(['-h']).help).toBe(true);
  });
  it('refuses unknown arguments', () => {
    expect(() => parseArgs(['--dryrun'])).toThrow(UsageError);
    expect(() => parseArgs(['--dryrun'])).toThrow(/--dryrun/);
  });
  it('documents every variable', () => {
    for (const v of [
      'KAFKA_BROKERS',
      'SCHEMA_REGISTRY_URL',
      'KAFKA_CLIENT_ID',
      'KAFKA_CMT_TOPIC',
      'SYNC_WAIT_SECONDS',
    ]) {
      expect(helpText()).toContain(v);
    }
  });
});

describe('config', () => {
  it('defaults SYNC_WAIT_SECONDS to 60', () => {
    expect(parseConfig(synchronizerConfigSpec, {}).waitSeconds).toBe(60);
  });
  it('names a bad SYNC_WAIT_SECONDS and an empty KAFKA_BROKERS', () => {
    try {
      parseConfig(synchronizerConfigSpec, { SYNC_WAIT_SECONDS: 'abc', KAFKA_BROKERS: '' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.variable)).toEqual([
        'KAFKA_BROKERS',
        'SYNC_WAIT_SECONDS',
      ]);
    }
  });
});

describe('verdict', () => {
  const base: SyncResult = {
    plan: { actions: [], findings: [], keptUnknown: [] },
    dryRun: false,
    outcomes: [],
    failures: [],
    remaining: [],
  };
  const finding = { kind: 'too-many-partitions', topic: 't', actual: 2, desired: 1 } as const;
  const action = { kind: 'delete-topic', topic: 't', partitions: 1 } as const;

  it('is 0 when in sync, and for warnings unless --strict', () => {
    expect(verdict(base, { strict: false }).code).toBe(0);
    const warned = { ...base, plan: { ...base.plan, findings: [finding] } };
    expect(verdict(warned, { strict: false }).code).toBe(0);
    expect(verdict(warned, { strict: true })).toEqual({
      code: 1,
      reason: '--strict: 1 drift warning(s) that cannot be fixed',
    });
  });
  it('is 1 when an action failed or the cluster did not converge', () => {
    const failed = verdict({ ...base, failures: [{ action, ok: false, message: 'x' }] }, { strict: false });
    expect(failed).toEqual({ code: 1, reason: '1 change(s) failed' });
    expect(verdict({ ...base, remaining: [action] }, { strict: false }).code).toBe(1);
  });
  it('is 0 for a dry run with changes planned', () => {
    expect(verdict({ ...base, dryRun: true, remaining: [action] }, { strict: false }).code).toBe(0);
  });
});
