import { parseArgs as parseCliArgs } from 'node:util';
import { type Env, envVar, integer, oneOf, parseConfig, port, text } from '@open-bank/config';
import { UsageError } from './errors.ts';
import { DEFAULT_KAFKA_HEAP_OPTS } from './kafka-config.ts';
import { PROFILE_OFFSETS } from './ports.ts';

export const COMMANDS = ['up', 'down', 'status', 'start', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliArgs {
  readonly command: Command;
  readonly profile: string;
  /** Undefined: what the profile's data was made for, else 1. */
  readonly brokers: 1 | 3 | undefined;
  readonly portOffset: number | undefined;
  /** up/start: wipe the profile's data first. */
  readonly fresh: boolean;
  /** down: delete the profile's data afterwards. */
  readonly wipe: boolean;
  /** status: machine-readable output. */
  readonly json: boolean;
  /** up/start: only these parts (and what they need). */
  readonly only: readonly string[] | undefined;
  /** up/start: KAFKA_CLIENT of every service; undefined: the environment's, else kafkajs. */
  readonly kafkaClient?: KafkaClientName | undefined;
}

export const USAGE = `Usage: pnpm stack <command> [options]

Commands:
  up        start Kafka, PostgreSQL, the schema registry and the services in the background; run the
            synchronizer; return when everything is healthy
  down      stop everything of the profile and check that its ports are free
  status    show each part: running, pid, ports, healthy
  start     up, then follow all logs; down on Ctrl-C
Options:
  --profile <name>     dev (default, Kafka 9092), test (+10000) or any name with --port-offset
  --port-offset <n>    shift every port by n (needed for profiles other than dev and test)
  --brokers 1|3        Kafka nodes (default: as the profile's data was formatted, else 1)
  --kafka-client <c>   (up/start) the services' Kafka client: kafkajs (default), confluent or platformatic
  --only <parts>       (up/start) only these parts and what they need, e.g. --only kafka,postgres
  --fresh              (up/start) delete the profile's data first
  --wipe               (down) delete the profile's data afterwards
  --json               (status) print JSON
Environment:
  DB_HOSTNAME, DB_PORT           use this PostgreSQL server instead of starting one (port default 5432)
  DB_PASSWORD                    password of the service roles (default open-bank)
  DB_ADMIN_USER, DB_ADMIN_PASSWORD  superuser for migrations (default postgres/postgres)
  KAFKA_CLIENT                   the services' Kafka client, as --kafka-client (the option wins)
  KAFKA_HEAP_OPTS                JVM heap of each broker (default ${DEFAULT_KAFKA_HEAP_OPTS})
  STACK_START_TIMEOUT            seconds a part may take to become healthy (default 120)`;

const OPTIONS = {
  profile: { type: 'string' },
  brokers: { type: 'string' },
  'port-offset': { type: 'string' },
  'kafka-client': { type: 'string' },
  only: { type: 'string' },
  fresh: { type: 'boolean' },
  wipe: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseArgs(argv: readonly string[]): CliArgs {
  let command: Command | undefined;
  let profile = 'dev';
  let brokers: 1 | 3 | undefined;
  let portOffset: number | undefined;
  let fresh = false;
  let wipe = false;
  let json = false;
  let only: string[] | undefined;
  let kafkaClient: KafkaClientName | undefined;
  // Not strict: node's own messages would replace ours, and a value is checked here, in order, instead.
  const { tokens } = parseCliArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positional = (arg: string) => {
    if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    if (command !== undefined) throw new UsageError(`unexpected argument ${arg}`);
    if (!(COMMANDS as readonly string[]).includes(arg)) throw new UsageError(`unknown command ${arg}`);
    command = arg as Command;
  };
  for (const token of tokens) {
    if (token.kind === 'option-terminator') throw new UsageError('unknown option --');
    if (token.kind === 'positional') {
      positional(token.value);
      continue;
    }
    const flag = token.rawName;
    const value = (): string => {
      const v = token.value;
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (token.name) {
      case 'profile':
        profile = value();
        break;
      case 'brokers': {
        const v = value();
        if (v !== '1' && v !== '3') throw new UsageError(`--brokers must be 1 or 3, got '${v}'`);
        brokers = v === '1' ? 1 : 3;
        break;
      }
      case 'port-offset': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 50_000) {
          throw new UsageError(`--port-offset must be a whole number from 0 to 50000, got '${v}'`);
        }
        portOffset = Number(v);
        break;
      }
      case 'kafka-client': {
        const v = value();
        if (!(KAFKA_CLIENTS as readonly string[]).includes(v))
          throw new UsageError(`--kafka-client must be one of ${KAFKA_CLIENTS.join(', ')}, got '${v}'`);
        kafkaClient = v as KafkaClientName;
        break;
      }
      case 'fresh':
        fresh = true;
        break;
      case 'wipe':
        wipe = true;
        break;
      case 'json':
        json = true;
        break;
      case 'only':
        only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (only.length === 0) throw new UsageError('--only needs part names');
        break;
      case 'help':
        command = 'help';
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
    // `--fresh=x` was the flag followed by the argument x, as before.
    if (OPTIONS[token.name as keyof typeof OPTIONS]?.type === 'boolean' && token.value !== undefined) {
      positional(token.value);
    }
  }
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(profile)) {
    throw new UsageError(`--profile must be lower-case letters, digits and '-', got '${profile}'`);
  }
  return { command: command ?? 'help', profile, brokers, portOffset, fresh, wipe, json, only, kafkaClient };
}

/** The Kafka clients a service can be started on (its `KAFKA_CLIENT`); kafkajs is the default. */
export const KAFKA_CLIENTS = ['kafkajs', 'confluent', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

export type PostgresTarget =
  | { readonly external: false }
  | { readonly external: true; readonly host: string; readonly port: number };

/** Everything the stack needs to know, resolved once from arguments and environment. */
export interface StackSettings {
  readonly profile: string;
  readonly portOffset: number;
  readonly brokers: 1 | 3 | undefined;
  readonly kafkaHeapOpts: readonly string[];
  readonly postgres: PostgresTarget;
  readonly dbPassword: string;
  readonly dbAdminUser: string;
  readonly dbAdminPassword: string;
  readonly startTimeoutMs: number;
  /** Handed to every service as KAFKA_CLIENT. */
  readonly kafkaClient: KafkaClientName;
}

const jvmOptions = (raw: string): string[] => {
  const opts = raw.trim().split(/\s+/).filter(Boolean);
  if (opts.length === 0) throw new Error('must not be empty');
  for (const o of opts) if (!o.startsWith('-X')) throw new Error(`must be JVM -X options, got '${o}'`);
  return opts;
};

function envSpec(env: Env) {
  return {
    ...(env.DB_HOSTNAME === undefined
      ? {}
      : { dbHostname: envVar('DB_HOSTNAME', text({ max: 253, pattern: /^[A-Za-z0-9.:_[\]-]+$/ })) }),
    // Read in every mode so a bad value is reported at once; used for an external server only, the
    // embedded one listens on its profile's port.
    dbPort: envVar('DB_PORT', port(), { default: '5432' }),
    dbPassword: envVar('DB_PASSWORD', text(), { default: 'open-bank' }),
    dbAdminUser: envVar('DB_ADMIN_USER', text({ max: 63 }), { default: 'postgres' }),
    dbAdminPassword: envVar('DB_ADMIN_PASSWORD', text(), { default: 'postgres' }),
    kafkaHeapOpts: envVar('KAFKA_HEAP_OPTS', jvmOptions, { default: DEFAULT_KAFKA_HEAP_OPTS }),
    startTimeout: envVar('STACK_START_TIMEOUT', integer({ min: 5, max: 3_600 }), { default: '120' }),
    kafkaClient: envVar('KAFKA_CLIENT', oneOf(KAFKA_CLIENTS), { default: 'kafkajs' }),
  };
}

export function stackSettings(
  args: Pick<CliArgs, 'profile' | 'brokers' | 'portOffset' | 'kafkaClient'>,
  env: Env,
): StackSettings {
  const config = parseConfig(envSpec(env), env);
  const offset = args.portOffset ?? PROFILE_OFFSETS[args.profile];
  if (offset === undefined) {
    throw new UsageError(
      `profile '${args.profile}' has no default ports: give --port-offset (dev is 0, test 10000)`,
    );
  }
  const host = (config as { dbHostname?: string }).dbHostname;
  return {
    profile: args.profile,
    portOffset: offset,
    brokers: args.brokers,
    kafkaHeapOpts: config.kafkaHeapOpts,
    postgres: host === undefined ? { external: false } : { external: true, host, port: config.dbPort },
    dbPassword: config.dbPassword,
    dbAdminUser: config.dbAdminUser,
    dbAdminPassword: config.dbAdminPassword,
    startTimeoutMs: config.startTimeout * 1000,
    kafkaClient: args.kafkaClient ?? config.kafkaClient,
  };
}
