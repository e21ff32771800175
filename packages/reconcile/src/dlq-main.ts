import { ConfigError, describeConfig, parseConfig } from '@open-bank/config';
import { createKafka, kafkaConfigSpec, topologyOf } from '@open-bank/topology';
import { chooseResubmit, formatDeadLetters, listDeadLetters, resubmit } from './dlq.ts';
import { ReconcileError, UsageError } from './errors.ts';

const spec = kafkaConfigSpec('dlq');

const USAGE = `usage: pnpm dlq [list]
       pnpm dlq resubmit <topic> <partition> <offset>

list (the default) prints every message on the bank's dead-letter topics: where it sits, where it came from
(source topic, partition, offset) and why it was set aside. resubmit sends one back to its source topic once
its cause is fixed, named by its place on the dead-letter topic (as listed) or by its source position; each
dead letter is re-submitted at most once.

environment:
${describeConfig(spec)}`;

function parseOffsetArgs(args: readonly string[]): {
  topic: string;
  partition: number;
  offset: string;
} {
  const [topic, partition, offset] = args;
  if (args.length !== 3 || !topic || !partition || !offset)
    throw new UsageError(`resubmit needs <topic> <partition> <offset>\n${USAGE}`);
  if (!/^\d+$/.test(partition)) throw new UsageError(`partition must be a whole number, got '${partition}'`);
  if (!/^\d+$/.test(offset)) throw new UsageError(`offset must be a whole number, got '${offset}'`);
  return { topic, partition: Number(partition), offset };
}

async function main(argv: string[]): Promise<number> {
  const [command = 'list', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'list' && command !== 'resubmit')
    throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  if (command === 'list' && rest.length > 0) throw new UsageError(`list takes no arguments\n${USAGE}`);
  const target = command === 'resubmit' ? parseOffsetArgs(rest) : undefined;
  const config = parseConfig(spec, process.env);
  const topology = topologyOf(config);
  const kafka = createKafka({ brokers: config.brokers, clientId: config.clientId });
  const letters = await listDeadLetters(kafka, topology);
  if (!target) {
    for (const line of formatDeadLetters(letters)) process.stdout.write(`${line}\n`);
    return 0;
  }
  const letter = chooseResubmit(letters, topology, target);
  const sent = await resubmit(kafka, letter);
  process.stdout.write(
    `re-submitted ${letter.topic} ${letter.partition}@${letter.offset} to ${letter.source.topic} ${sent.partition}@${sent.offset}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof ConfigError || e instanceof ReconcileError;
    process.stderr.write(
      `dlq: ${known ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(known ? 1 : 2);
  },
);
