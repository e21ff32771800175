import { envVar } from './config.ts';
import { oneOf, port, text } from './parsers.ts';

/** pino's levels, most severe first; every service's LOG_LEVEL takes one of these. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The HTTP side every service shares: where it listens and how much it logs. The port variable is the
 * service's own (COMMAND_HANDLER_PORT, GRAPHQL_PORT, …) so that one environment can run them all.
 */
export function opsConfigSpec(portVariable: string, defaultPort: string, portDescription: string) {
  return {
    httpHost: envVar('HTTP_HOST', text({ max: 255 }), { default: '0.0.0.0' }),
    port: envVar(portVariable, port(), { default: defaultPort, description: portDescription }),
    logLevel: envVar('LOG_LEVEL', oneOf(LOG_LEVELS), { default: 'info' }),
  };
}

/**
 * Where the bank's PostgreSQL server is. The databases and roles are fixed per reader; one DB_PASSWORD
 * serves every role, so the reader says which roles it is in the description.
 */
export function dbConfigSpec(passwordDescription: string) {
  return {
    dbHostname: envVar('DB_HOSTNAME', text({ max: 255 }), { default: 'localhost' }),
    dbPort: envVar('DB_PORT', port(), { default: '5432' }),
    dbPassword: envVar('DB_PASSWORD', text({ max: 200 }), {
      default: 'open-bank',
      description: passwordDescription,
    }),
  };
}

/**
 * A service instance's name (COMMAND_HANDLER_INSTANCE, GRAPHQL_ENDPOINT_INSTANCE): kept across restarts and
 * unique among the live instances, it goes into static group member ids and logs, so it is a plain word.
 */
export function instanceVar(variable: string, description: string) {
  return envVar(variable, text({ max: 100, pattern: /^[A-Za-z0-9._-]+$/ }), { default: '0', description });
}
