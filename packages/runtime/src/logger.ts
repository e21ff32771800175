import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON lines on stdout, one logger per service, level from the service's config. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
