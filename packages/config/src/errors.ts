export class ConfigPackageError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable = false) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
  }
}

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
