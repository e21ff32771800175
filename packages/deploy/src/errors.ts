import { OpenBankError } from '@open-bank/contract';

/** Base of this package's errors: a file of the Docker demo that cannot be read as what it should be. */
export class DeployError extends OpenBankError<'COMPOSE_FORMAT' | 'INTERPOLATION' | 'REPO_FACT'> {}

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
