import { parseConfig } from '@open-bank/config';
import { exitOnFailure, helpText, parseArgs, verdict } from './cli.ts';
import { synchronizerConfigSpec } from './config.ts';
import { synchronize } from './synchronize.ts';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(helpText());
    return;
  }
  const config = parseConfig(synchronizerConfigSpec, process.env);
  const result = await synchronize({
    config,
    dryRun: args.dryRun,
    deleteUnknown: args.deleteUnknown,
    log: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  const { code, reason } = verdict(result, args);
  if (reason) process.stderr.write(`synchronizer: ${reason}\n`);
  process.exitCode = code;
}

main().catch(exitOnFailure);
