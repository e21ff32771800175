import { ConfigError, describeConfig, parseConfig } from '@open-bank/config';
import { Codec, createKafka, createRegistry, topologyOf } from '@open-bank/topology';
import { BALANCE_DB, reconcileConfigSpec, TRANSACTION_DB } from './config.ts';
import { connectDb } from './db.ts';
import { UsageError } from './errors.ts';
import { generateHistory } from './generate.ts';
import { dbTarget } from './reconcile.ts';

const USAGE = `usage: pnpm --filter @open-bank/reconcile generate --transfers N [--accounts N] [--seed N]

Writes a synthetic but valid history (commands, answers, BalanceChanged events, and the matching balancedb and
transactiondb rows) as fast as it can, to measure pnpm reconcile on millions of events. Only for a stack of its
own with no services running: it writes what the services would.

environment:
${describeConfig(reconcileConfigSpec)}`;

function option(argv: string[], name: string, fallback?: number): number {
  const i = argv.indexOf(`--${name}`);
  const raw = i >= 0 ? argv[i + 1] : undefined;
  if (raw === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required\n${USAGE}`);
    return fallback;
  }
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got '${raw}'`);
  return Number(raw);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const transfers = option(argv, 'transfers');
  const accounts = option(argv, 'accounts', Math.max(10, Math.min(200_000, Math.floor(transfers / 50))));
  const seed = option(argv, 'seed', 1);
  const config = parseConfig(reconcileConfigSpec, process.env);
  const topology = topologyOf(config);
  const kafka = createKafka({ brokers: config.brokers, clientId: 'reconcile-generate' });
  const codec = new Codec(createRegistry(config.schemaRegistryUrl), topology);
  const balancedb = await connectDb(dbTarget(config, BALANCE_DB));
  const transactiondb = await connectDb(dbTarget(config, TRANSACTION_DB));
  try {
    const r = await generateHistory(
      kafka,
      codec,
      topology,
      { balancedb, transactiondb },
      {
        accounts,
        transfers,
        seed,
        log: (l) => process.stdout.write(`${l}\n`),
      },
    );
    process.stdout.write(
      `wrote ${r.commands} commands, ${r.answers} answers, ${r.events} events and their rows in ${r.seconds.toFixed(1)} s\n`,
    );
  } finally {
    await balancedb.end();
    await transactiondb.end();
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(
    `generate: ${e instanceof ConfigError || e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
