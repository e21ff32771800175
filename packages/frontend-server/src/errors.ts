/** Base of every error the frontend server throws. */
export class FrontendServerError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The server could not listen, e.g. its port is taken. */
export class ListenError extends FrontendServerError {
  constructor(host: string, port: number, cause: unknown) {
    const reason =
      (cause as { code?: string }).code === 'EADDRINUSE' ? 'is already in use' : 'cannot be used';
    super('LISTEN_FAILED', `port ${port} on ${host} ${reason}`, { cause });
  }
}
