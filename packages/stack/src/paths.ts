import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's place in it (packages/stack/src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const STACK_PACKAGE_DIR = join(REPO_ROOT, 'packages', 'stack');

export const KAFKA_POM = join(STACK_PACKAGE_DIR, 'kafka', 'pom.xml');
export const KAFKA_LIBS = join(REPO_ROOT, '.cache', 'kafka', 'libs');
export const KAFKA_LIBS_MARKER = join(KAFKA_LIBS, '.pom-sha256');
export const MIGRATIONS_DIR = join(STACK_PACKAGE_DIR, 'migrations');
export const TSX_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

export interface ProfilePaths {
  readonly root: string;
  readonly stackDir: string;
  readonly logsDir: string;
  readonly stateFile: string;
  readonly lockFile: string;
  readonly postgresDir: string;
  kafkaDir(node: number): string;
  log(part: string): string;
}

export function profilePaths(profile: string, root = REPO_ROOT): ProfilePaths {
  const stackDir = join(root, '.stack', profile);
  const logsDir = join(stackDir, 'logs');
  return {
    root,
    stackDir,
    logsDir,
    stateFile: join(stackDir, 'state.json'),
    lockFile: join(stackDir, 'lock'),
    postgresDir: join(stackDir, 'postgres'),
    kafkaDir: (node) => join(stackDir, `kafka-${node}`),
    log: (part) => join(logsDir, `${part}.log`),
  };
}
