// `pnpm chaos`: the only place of this package that reads process.env and argv.
import { writeFileSync } from 'node:fs';
import {
  ChaosUsageError,
  failures,
  formatTable,
  parseChaosArgs,
  runChaos,
  selectScenarios,
  USAGE,
} from './index.ts';

async function main(): Promise<number> {
  const options = parseChaosArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stamp = () => new Date().toISOString().slice(11, 19);
  const tty = process.stderr.isTTY;
  let progressShown = false;
  const clearProgress = () => {
    if (tty && progressShown) process.stderr.write('\r\x1b[K');
    progressShown = false;
  };
  const log = (line: string) => {
    clearProgress();
    process.stdout.write(`[${stamp()}] ${line}\n`);
  };
  const progress = (line: string) => {
    if (tty) {
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
      progressShown = true;
    } else process.stderr.write(`[${stamp()}] ${line}\n`);
  };
  const results = await runChaos(
    {
      ...options,
      scenarios: selectScenarios(options.scenarios, { short: options.short, brokers: options.brokers }),
    },
    { env: process.env, log, progress },
  );
  clearProgress();
  process.stdout.write(`\n${formatTable(results).join('\n')}\n`);
  if (options.json)
    writeFileSync(
      options.json,
      `${JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`,
    );
  const failed = results.filter((r) => failures(r).length > 0);
  process.stdout.write(
    failed.length === 0
      ? `\nall ${results.length} scenarios passed\n`
      : `\n${failed.length} of ${results.length} scenarios failed: ${failed.map((r) => r.name).join(', ')}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  // kafkajs and pg may leave sockets closing in the background; the work is done.
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      `chaos: ${e instanceof ChaosUsageError ? `${e.message}\n\n${USAGE}` : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(e instanceof ChaosUsageError ? 2 : 1);
  },
);
