import { describe, expect, it } from 'vitest';
import { ChaosUsageError, DEFAULT_PORT_OFFSET, parseChaosArgs } from './options.ts';

describe('parseChaosArgs', () => {
  it('defaults to the full set on kafkajs on the chaos profile', () => {
    expect(parseChaosArgs([])).toEqual({
      short: false,
      scenarios: undefined,
      kafkaClient: 'kafkajs',
      brokers: 1,
      rate: 150,
      clients: 3,
      profile: 'chaos',
      portOffset: DEFAULT_PORT_OFFSET,
      keepData: false,
      keepStack: false,
      json: undefined,
    });
  });

  it('reads the short set, scenarios (once each), the client and the stack options', () => {
    expect(
      parseChaosArgs([
        '--short',
        '--scenario',
        'postgres-pause',
        '--scenario=broker-restart',
        '--scenario',
        'postgres-pause',
        '--kafka-client',
        'confluent',
        '--rate',
        '300',
        '--clients=0',
        '--profile',
        'chaos-2',
        '--port-offset',
        '13000',
        '--keep-stack',
        '--json',
        'out.json',
      ]),
    ).toMatchObject({
      short: true,
      scenarios: ['postgres-pause', 'broker-restart'],
      kafkaClient: 'confluent',
      rate: 300,
      clients: 0,
      profile: 'chaos-2',
      portOffset: 13_000,
      keepStack: true,
      json: 'out.json',
    });
  });

  it('runs broker-loss only on three brokers', () => {
    expect(parseChaosArgs(['--brokers', '3', '--scenario', 'broker-loss'])).toMatchObject({
      brokers: 3,
      scenarios: ['broker-loss'],
    });
    expect(() => parseChaosArgs(['--scenario', 'broker-loss'])).toThrow(
      /scenario broker-loss needs 3 brokers: add --brokers 3/,
    );
  });

  it('answers help', () => {
    expect(parseChaosArgs(['--help'])).toBe('help');
    expect(parseChaosArgs(['-h'])).toBe('help');
  });

  it.each([
    [['--scenario', 'nope'], /unknown scenario 'nope'/],
    [['--kafka-client', 'rdkafka'], /--kafka-client must be one of/],
    [['--rate', '5'], /--rate must be a whole number/],
    [['--brokers', '2'], /--brokers must be 1 or 3/],
    [['--rate', 'fast'], /--rate must be a whole number/],
    [['--profile', 'dev'], /shared with other work/],
    [['--profile', 'test'], /shared with other work/],
    [['--profile', 'Bad'], /--profile must be/],
    [['--bogus'], /bogus/],
    [['positional'], /positional/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseChaosArgs(argv)).toThrow(ChaosUsageError);
    expect(() => parseChaosArgs(argv)).toThrow(message);
  });
});
