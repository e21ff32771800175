import { ConfigError } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { parseArgs, stackSettings } from './settings.ts';

describe('parseArgs', () => {
  it('reads the command and options in any order', () => {
    expect(parseArgs(['up', '--brokers', '3', '--profile=test', '--fresh'])).toEqual({
      command: 'up',
      profile: 'test',
      brokers: 3,
      portOffset: undefined,
      fresh: true,
      wipe: false,
      json: false,
      only: undefined,
    });
    expect(parseArgs(['--port-offset', '20000', '--profile', 'lc', 'down', '--wipe'])).toMatchObject({
      command: 'down',
      profile: 'lc',
      portOffset: 20_000,
      wipe: true,
    });
    expect(parseArgs(['up', '--only', 'kafka, postgres']).only).toEqual(['kafka', 'postgres']);
  });

  it('defaults to help and to profile dev', () => {
    expect(parseArgs([])).toMatchObject({ command: 'help', profile: 'dev' });
  });

  it('rejects what it does not understand', () => {
    expect(() => parseArgs(['up', '--brokers', '2'])).toThrow(/--brokers must be 1 or 3/);
    expect(() => parseArgs(['up', '--brokers'])).toThrow(/needs a value/);
    expect(() => parseArgs(['up', '--profile', '--fresh'])).toThrow(/--profile needs a value/);
    expect(() => parseArgs(['up', '--fresh=1'])).toThrow(/unexpected argument 1/);
    expect(() => parseArgs(['up', '--', 'down'])).toThrow(/unknown option --/);
    expect(() => parseArgs(['launch'])).toThrow(/unknown command launch/);
    expect(() => parseArgs(['up', '--verbose'])).toThrow(UsageError);
    expect(() => parseArgs(['up', 'down'])).toThrow(/unexpected argument/);
    expect(() => parseArgs(['up', '--profile', '../x'])).toThrow(/--profile/);
    expect(() => parseArgs(['up', '--port-offset', '-1'])).toThrow(/needs a value|--port-offset/);
  });
});

const args = { profile: 'dev', brokers: undefined, portOffset: undefined } as const;

describe('stackSettings', () => {
  it('starts its own PostgreSQL with the default credentials when DB_HOSTNAME is unset', () => {
    const s = stackSettings(args, {});
    expect(s.postgres).toEqual({ external: false });
    expect(s).toMatchObject({
      portOffset: 0,
      dbPassword: 'open-bank',
      dbAdminUser: 'postgres',
      dbAdminPassword: 'postgres',
      kafkaHeapOpts: ['-Xmx768m', '-Xms768m'],
      startTimeoutMs: 120_000,
      kafkaClient: 'kafkajs',
    });
    expect(stackSettings(args, { KAFKA_CLIENT: 'confluent' }).kafkaClient).toBe('confluent');
    expect(
      stackSettings({ ...args, kafkaClient: 'platformatic' }, { KAFKA_CLIENT: 'confluent' }).kafkaClient,
    ).toBe('platformatic');
    expect(parseArgs(['up', '--kafka-client', 'confluent']).kafkaClient).toBe('confluent');
    expect(() => parseArgs(['up', '--kafka-client', 'rdkafka'])).toThrow(/--kafka-client must be one of/);
  });

  it('uses an external server when DB_HOSTNAME is set, on DB_PORT or 5432', () => {
    expect(stackSettings(args, { DB_HOSTNAME: 'db' }).postgres).toEqual({
      external: true,
      host: 'db',
      port: 5432,
    });
    expect(stackSettings(args, { DB_HOSTNAME: 'db', DB_PORT: '6543' }).postgres).toEqual({
      external: true,
      host: 'db',
      port: 6543,
    });
  });

  it('names every bad variable', () => {
    try {
      stackSettings(args, {
        DB_PORT: 'abc',
        KAFKA_HEAP_OPTS: '',
        DB_HOSTNAME: '',
        STACK_START_TIMEOUT: '1',
        KAFKA_CLIENT: 'rdkafka',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
        'DB_HOSTNAME',
        'DB_PORT',
        'KAFKA_CLIENT',
        'KAFKA_HEAP_OPTS',
        'STACK_START_TIMEOUT',
      ]);
    }
    expect(() => stackSettings(args, { KAFKA_HEAP_OPTS: '-Xmx1g --add-opens' })).toThrow(/KAFKA_HEAP_OPTS/);
  });

  it('knows the offsets of dev and test and wants one for any other profile', () => {
    expect(stackSettings({ ...args, profile: 'test' }, {}).portOffset).toBe(10_000);
    expect(stackSettings({ ...args, profile: 'lc', portOffset: 20_000 }, {}).portOffset).toBe(20_000);
    expect(() => stackSettings({ ...args, profile: 'lc' }, {})).toThrow(/--port-offset/);
  });
});
