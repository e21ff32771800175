/** Base of this package's errors: a file of the Docker demo that cannot be read as what it should be. */
export class DeployError extends Error {
  readonly code: string;
  readonly retryable = false;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** docker-compose.yml (or an env file) is not valid YAML or not shaped like a Compose file. */
export class ComposeFormatError extends DeployError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('COMPOSE_FORMAT', message, options);
  }
}

/** A `${VAR:?message}` whose variable is unset, as Compose itself would refuse it. */
export class InterpolationError extends DeployError {
  constructor(message: string) {
    super('INTERPOLATION', message);
  }
}
