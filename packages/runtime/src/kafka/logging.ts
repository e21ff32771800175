import type { Logger } from 'pino';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * Where a client's log line goes in pino: errors and warnings stay as they are, the clients' routine
 * chatter (joins, rebalances, connection churn, logged at info by kafkajs and librdkafka) goes to debug.
 */
export function logInto(logger: Logger, client: string) {
  const child = logger.child({ kafkaClient: client });
  return (level: LogLevel, message: string, extra: Record<string, unknown> = {}) => {
    if (level === 'error') child.error(extra, message);
    else if (level === 'warn') child.warn(extra, message);
    else child.debug(extra, message);
  };
}
