import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { PartFailedError, PrerequisiteError } from './errors.ts';
import { brokerJvmArgs, brokerProperties, log4jConfig, renderProperties } from './kafka-config.ts';
import { KAFKA_LIBS, KAFKA_LIBS_MARKER } from './paths.ts';
import type { KafkaNode } from './ports.ts';
import { type Launch, runToEnd } from './processes.ts';

export const KAFKA_HOST = '127.0.0.1';

export interface KafkaNodeFiles {
  readonly dir: string;
  readonly dataDir: string;
  readonly properties: string;
  readonly log4j: string;
}

export function kafkaNodeFiles(dir: string): KafkaNodeFiles {
  return {
    dir,
    dataDir: join(dir, 'data'),
    properties: join(dir, 'server.properties'),
    log4j: join(dir, 'log4j2.properties'),
  };
}

export function assertKafkaInstalled(): void {
  const jars = existsSync(KAFKA_LIBS) ? readdirSync(KAFKA_LIBS).filter((f) => f.endsWith('.jar')) : [];
  if (!existsSync(KAFKA_LIBS_MARKER) || !jars.some((j) => j.startsWith('kafka_2.13-'))) {
    throw new PrerequisiteError(
      'the Kafka broker jars are not in .cache/kafka/libs: run `pnpm install` (it fetches them with Maven; ' +
        'needs Java 17+ and Maven: apt-get install openjdk-17-jre-headless maven)',
    );
  }
}

/**
 * Writes the node's configuration and, the first time, formats its storage for the cluster id.
 * Config files are rewritten on every start so a changed port offset or heap takes effect.
 */
export async function prepareKafkaNode(opts: {
  files: KafkaNodeFiles;
  node: KafkaNode;
  nodes: readonly KafkaNode[];
  clusterId: string;
  logFile: string;
  logsDir: string;
  env: Record<string, string>;
  cwd: string;
}): Promise<void> {
  assertKafkaInstalled();
  const { files, node, nodes, clusterId, logFile } = opts;
  mkdirSync(files.dataDir, { recursive: true });
  writeFileSync(
    files.properties,
    renderProperties(brokerProperties({ node, nodes, host: KAFKA_HOST, dataDir: files.dataDir })),
  );
  writeFileSync(files.log4j, log4jConfig(logFile));
  if (existsSync(join(files.dataDir, 'meta.properties'))) return;
  const code = await runToEnd(
    {
      command: 'java',
      args: [
        '-Xmx256m',
        '-XX:TieredStopAtLevel=1',
        `-Dlog4j2.configurationFile=${files.log4j}`,
        '-cp',
        join(KAFKA_LIBS, '*'),
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        clusterId,
        '--config',
        files.properties,
      ],
      env: opts.env,
      cwd: opts.cwd,
    },
    logFile,
    60_000,
  );
  if (code !== 0) {
    throw new PartFailedError(`kafka-${node.id}`, `formatting the Kafka storage failed (exit code ${code})`);
  }
}

export function kafkaLaunch(opts: {
  files: KafkaNodeFiles;
  heapOpts: readonly string[];
  logsDir: string;
  env: Record<string, string>;
  cwd: string;
}): Launch {
  return {
    command: 'java',
    args: [
      ...brokerJvmArgs(opts.heapOpts, opts.files.log4j, opts.logsDir),
      '-cp',
      join(KAFKA_LIBS, '*'),
      'kafka.Kafka',
      opts.files.properties,
    ],
    env: opts.env,
    cwd: opts.cwd,
  };
}

/** The node answers and sees the whole cluster (every broker registered). */
export async function kafkaSeesCluster(port: number, expectedBrokers: number): Promise<boolean> {
  const kafka = new kafkajs.Kafka({
    clientId: 'open-bank-stack',
    brokers: [`${KAFKA_HOST}:${port}`],
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length >= expectedBrokers;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
