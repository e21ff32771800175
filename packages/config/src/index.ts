export {
  type ConfigOf,
  type ConfigSpec,
  describeConfig,
  type Env,
  type EnvVar,
  envVar,
  parseConfig,
} from './config.ts';
export { ConfigError, ConfigPackageError, type ConfigProblem } from './errors.ts';
export { dbConfigSpec, instanceVar, LOG_LEVELS, opsConfigSpec } from './fragments.ts';
export {
  boolean,
  hostPortList,
  httpUrl,
  integer,
  namedUrlList,
  oneOf,
  type Parser,
  port,
  text,
} from './parsers.ts';
export { exitOnStartupError } from './startup.ts';
