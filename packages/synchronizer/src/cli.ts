import { parseArgs as parseCliArgs } from 'node:util';
import { describeConfig, exitOnStartupError } from '@open-bank/config';
import { synchronizerConfigSpec } from './config.ts';
import { SynchronizerError, UsageError } from './errors.ts';
import type { SyncResult } from './synchronize.ts';

export interface CliArgs {
  readonly help: boolean;
  readonly dryRun: boolean;
  readonly strict: boolean;
  readonly deleteUnknown: boolean;
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  'dry-run': { type: 'boolean' },
  strict: { type: 'boolean' },
  'no-delete': { type: 'boolean' },
} as const;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args = { help: false, dryRun: false, strict: false, deleteUnknown: true };
  // pnpm passes a lone `--` through when a script is run as `pnpm sync -- --dry-run`: it ends nothing here.
  const given = argv.filter((arg) => arg !== '--');
  // Not strict: the message names the argument as given, and a value (--strict=1) is refused like a typo.
  const { tokens } = parseCliArgs({
    args: given,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    const unknown = () => new UsageError(`unknown argument '${given[token.index]}' (see --help)`);
    if (token.kind !== 'option' || token.value !== undefined) throw unknown();
    switch (token.name) {
      case 'help':
        args.help = true;
        break;
      case 'dry-run':
        args.dryRun = true;
        break;
      case 'strict':
        args.strict = true;
        break;
      case 'no-delete':
        args.deleteUnknown = false;
        break;
      default:
        throw unknown();
    }
  }
  return args;
}

export function helpText(): string {
  return `Usage: pnpm sync [--dry-run] [--strict] [--no-delete]

Makes the Kafka cluster and the schema registry match the topology: creates missing topics (and their
dead-letter topics), adds partitions and fixes topic configs that drifted, registers every value schema,
and deletes topics that are not in the topology (never internal ones, whose names start with '_').
Prints the plan first. A second run prints "nothing to change".

Options:
  --dry-run    print the plan only, change nothing
  --strict     exit 1 when drift remains that Kafka cannot fix (too many partitions, replication)
  --no-delete  keep topics that are not in the topology
  -h, --help   show this text

Environment:
${describeConfig(synchronizerConfigSpec)}

Exit code: 0 when in sync (or the dry run planned), 1 on failure.
`;
}

/**
 * The exit code, and why when it is not 0. Drift Kafka cannot fix is a warning unless --strict; an action that
 * failed or a cluster that did not converge is a failure.
 */
export function verdict(
  result: SyncResult,
  args: Pick<CliArgs, 'strict'>,
): { code: number; reason?: string } {
  if (result.failures.length > 0) return { code: 1, reason: `${result.failures.length} change(s) failed` };
  if (!result.dryRun && result.remaining.length > 0) {
    return {
      code: 1,
      reason: `still out of sync after applying (${result.remaining.length} change(s) left)`,
    };
  }
  if (args.strict && result.plan.findings.length > 0) {
    return {
      code: 1,
      reason: `--strict: ${result.plan.findings.length} drift warning(s) that cannot be fixed`,
    };
  }
  return { code: 0 };
}

/** Known failures are the user's to act on: print the message plainly, without a stack trace. */
export function exitOnFailure(error: unknown): never {
  if (error instanceof SynchronizerError) {
    process.stderr.write(`synchronizer: ${error.message}\n`);
    process.exit(1);
  }
  return exitOnStartupError('synchronizer', error);
}
