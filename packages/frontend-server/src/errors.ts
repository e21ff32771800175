import { OpenBankError } from '@open-bank/contract';

/** Base of every error the frontend server throws. */
export class FrontendServerError extends OpenBankError<'LISTEN_FAILED'> {}

/** The server could not listen, e.g. its port is taken. */
export class ListenError extends FrontendServerError {
  constructor(host: string, port: number, cause: unknown) {
    const reason =
      (cause as { code?: string }).code === 'EADDRINUSE' ? 'is already in use' : 'cannot be used';
    super('LISTEN_FAILED', `port ${port} on ${host} ${reason}`, { cause });
  }
}
