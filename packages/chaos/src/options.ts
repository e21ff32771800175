import { parseArgs } from 'node:util';
import { KAFKA_CLIENTS, type KafkaClientName, MAX_PORT_OFFSET } from '@open-bank/stack';
import { SCENARIO_NAMES, type ScenarioName, scenario } from './scenarios.ts';

export interface ChaosOptions {
  readonly short: boolean;
  /** Undefined: the whole set (or the short one). */
  readonly scenarios: readonly ScenarioName[] | undefined;
  readonly kafkaClient: KafkaClientName;
  /** Kafka nodes of the chaos stack. */
  readonly brokers: 1 | 3;
  /** Background load of the command generator, commands per second. */
  readonly rate: number;
  /** GraphQL clients doing deposits and transfers of their own. */
  readonly clients: number;
  readonly profile: string;
  readonly portOffset: number;
  /** Start from the profile's data as it is instead of wiping it. */
  readonly keepData: boolean;
  /** Leave the stack running at the end. */
  readonly keepStack: boolean;
  readonly json: string | undefined;
}

export const DEFAULT_PROFILE = 'chaos';
// Below the ephemeral port range with every port of the stack (the stack refuses a layout reaching into it).
export const DEFAULT_PORT_OFFSET = 12_000;

export const USAGE = `Usage: pnpm chaos [options]

Runs fault scenarios under background load on a stack of its own, each ending with the reconciliation.
  --short                the short set for CI (${'handler-kills'} with 3 kills, a 5 s PostgreSQL pause)
  --scenario NAME        only this scenario (repeatable): ${SCENARIO_NAMES.join(', ')}
  --kafka-client NAME    the services' Kafka client: ${KAFKA_CLIENTS.join(', ')} (default kafkajs)
  --brokers 1|3          Kafka nodes (default 1); broker-loss needs 3 and is left out of the set with 1
  --rate N               background load, commands/s (default 150)
  --clients N            GraphQL clients doing deposits and transfers (default 3)
  --profile NAME         stack profile (default ${DEFAULT_PROFILE}); its data is wiped first
  --port-offset N        its port offset (default ${DEFAULT_PORT_OFFSET})
  --keep-data            do not wipe the profile's data first
  --keep-stack           leave the stack running at the end
  --json FILE            also write the results as JSON`;

export class ChaosUsageError extends Error {
  override readonly name = 'ChaosUsageError';
}

const wholeNumber = (flag: string, raw: string, min: number, max: number): number => {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new ChaosUsageError(`${flag} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return Number(raw);
};

/** The options, or 'help'; throws ChaosUsageError on anything it does not understand. */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (e) {
    throw new ChaosUsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const scenarios = values.scenario?.map((s) => {
    if (!(SCENARIO_NAMES as readonly string[]).includes(s))
      throw new ChaosUsageError(`unknown scenario '${s}' (scenarios: ${SCENARIO_NAMES.join(', ')})`);
    return s as ScenarioName;
  });
  const client = values['kafka-client'] ?? 'kafkajs';
  if (!(KAFKA_CLIENTS as readonly string[]).includes(client))
    throw new ChaosUsageError(`--kafka-client must be one of ${KAFKA_CLIENTS.join(', ')}, got '${client}'`);
  const brokersRaw = values.brokers ?? '1';
  if (brokersRaw !== '1' && brokersRaw !== '3')
    throw new ChaosUsageError(`--brokers must be 1 or 3, got '${brokersRaw}'`);
  const brokers = brokersRaw === '3' ? 3 : 1;
  for (const s of scenarios ?? []) {
    const needs = scenario(s, { short: false }).brokers ?? 1;
    if (needs > brokers)
      throw new ChaosUsageError(`scenario ${s} needs ${needs} brokers: add --brokers ${needs}`);
  }
  const profile = values.profile ?? DEFAULT_PROFILE;
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(profile))
    throw new ChaosUsageError(`--profile must be lower-case letters, digits and '-', got '${profile}'`);
  if (profile === 'dev' || profile === 'test')
    throw new ChaosUsageError(`--profile ${profile} is shared with other work; chaos kills what it runs on`);
  return {
    short: values.short ?? false,
    scenarios: scenarios && scenarios.length > 0 ? [...new Set(scenarios)] : undefined,
    kafkaClient: client as KafkaClientName,
    brokers,
    rate: wholeNumber('--rate', values.rate ?? '150', 10, 5_000),
    clients: wholeNumber('--clients', values.clients ?? '3', 0, 20),
    profile,
    portOffset: wholeNumber(
      '--port-offset',
      values['port-offset'] ?? String(DEFAULT_PORT_OFFSET),
      0,
      MAX_PORT_OFFSET,
    ),
    keepData: values['keep-data'] ?? false,
    keepStack: values['keep-stack'] ?? false,
    json: values.json,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      short: { type: 'boolean' },
      scenario: { type: 'string', multiple: true },
      'kafka-client': { type: 'string' },
      brokers: { type: 'string' },
      rate: { type: 'string' },
      clients: { type: 'string' },
      profile: { type: 'string' },
      'port-offset': { type: 'string' },
      'keep-data': { type: 'boolean' },
      'keep-stack': { type: 'boolean' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
