import { ConfigError } from './errors.ts';

/**
 * The last catch of a service's main: a configuration problem is the user's to fix, so it is printed
 * plainly (naming each variable) without a stack trace; anything else is printed in full.
 */
export function exitOnStartupError(service: string, error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${service}: ${error.message}\n`);
  } else {
    process.stderr.write(
      `${service}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
}
