import { OpenBankError } from '@open-bank/contract';

/** Base of the config package's errors. */
export class ConfigPackageError extends OpenBankError<'CONFIG_INVALID'> {}

export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every invalid variable at once, so a user fixes them in one go rather than one per start. */
export class ConfigError extends ConfigPackageError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
  }
}
