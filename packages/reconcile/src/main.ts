import { ConfigError, describeConfig, parseConfig } from '@open-bank/config';
import { reconcileConfigSpec } from './config.ts';
import { UsageError } from './errors.ts';
import { formatReport } from './format.ts';
import { reconcile } from './reconcile.ts';

const USAGE = `usage: pnpm reconcile [--no-wait]

Replays every command, answer and BalanceChanged event from the start of the topics against balancedb and
transactiondb, prints a report and exits 1 on any finding (2 when it could not run).
  --no-wait   compare at once, without waiting for the services to consume everything

environment:
${describeConfig(reconcileConfigSpec)}`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--no-wait');
  if (unknown.length > 0) throw new UsageError(`unknown argument ${unknown[0]}\n${USAGE}`);
  const config = parseConfig(reconcileConfigSpec, process.env);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const result = await reconcile(config, { wait: !argv.includes('--no-wait'), log: say });
  for (const line of formatReport(result.report)) say(line);
  say(
    `${result.messages} messages in ${result.seconds.toFixed(1)} s, peak memory ${Math.round(result.peakRssMiB)} MiB`,
  );
  return result.report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      `reconcile: ${e instanceof ConfigError || e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(2);
  },
);
