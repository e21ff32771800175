import { randomBytes } from 'node:crypto';
import type { KafkaNode } from './ports.ts';

export interface BrokerPropertiesInput {
  readonly node: KafkaNode;
  /** All nodes of the cluster, this one included. */
  readonly nodes: readonly KafkaNode[];
  readonly host: string;
  readonly dataDir: string;
}

/**
 * server.properties of one KRaft node in combined mode (broker and controller in one JVM).
 * Static `controller.quorum.voters` for any cluster size, so one code path formats 1 or 3 nodes alike.
 */
export function brokerProperties({
  node,
  nodes,
  host,
  dataDir,
}: BrokerPropertiesInput): Record<string, string> {
  const replicas = nodes.length >= 3 ? 3 : 1;
  const minIsr = nodes.length >= 3 ? 2 : 1;
  return {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': nodes.map((n) => `${n.id}@${host}:${n.controllerPort}`).join(','),
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${node.port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': '1',
    'default.replication.factor': String(replicas),
    'min.insync.replicas': String(minIsr),
    'offsets.topic.replication.factor': String(replicas),
    'transaction.state.log.replication.factor': String(replicas),
    'transaction.state.log.min.isr': String(minIsr),
    'share.coordinator.state.topic.replication.factor': String(replicas),
    'share.coordinator.state.topic.min.isr': String(minIsr),
    // Fewer internal partitions than the defaults (50): on a 2-core machine the first consumer group and the
    // first transactional producer then come up in well under a second.
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.num.partitions': '10',
    // Topics are created on purpose by the synchronizer; a typo in a topic name must fail, not create one.
    'auto.create.topics.enable': 'false',
    // One consumer per group is the norm here; waiting for more members only slows every start.
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'log.retention.hours': '168',
    // How long a follower's fetch waits at the leader when it has nothing new (default 500 ms). With three
    // brokers a transaction is complete only when its markers and the coordinator's CompleteCommit are
    // replicated (acks=all: the whole ISR), and at the default those waits held nearly every transaction
    // that followed another closely (CONCURRENT_TRANSACTIONS retried 98-200 times in 60 transactions 100-200
    // ms apart, 12 at 50 ms). Durability is untouched: acks=all and min.insync.replicas stay; the cost is
    // idle fetches: three idle brokers used 42 % of a core instead of 30 % (one run on a busy machine).
    // No effect with one broker (no followers).
    'replica.fetch.wait.max.ms': '50',
    // A broker killed outright is fenced by the controller only when its session lapses (default 9 s, with a
    // heartbeat every 2 s); until then nobody leads its partitions, and the bank's requests time out. 2 s
    // with a heartbeat every 0.5 s (four missed in a row before fencing): leadership moves about 7 s sooner.
    // At 3 s, the first answer after a kill came 5-8.5 s later on a saturated 2-core machine, and requests
    // sent just before it timed out at 10 s. Durability is untouched (acks=all, min.insync.replicas); the
    // cost is a broker paused for over 2 s (a long GC on a starved machine) being fenced and rejoining.
    'broker.session.timeout.ms': '2000',
    'broker.heartbeat.interval.ms': '500',
    // When the broker killed is also the active controller, a new one must be elected before anyone is
    // fenced: the voters notice after the fetch time-out (default 2 s), elect within the election time-out
    // (default 1 s), and only then does the new controller's fencing clock start (a kill's first answer came
    // 7.2-8.5 s later, against 5-6 s when another node was the controller). Halved: about 1.5 s sooner;
    // the cost is an election when the leader stalls for over 1 s.
    'controller.quorum.fetch.timeout.ms': '1000',
    'controller.quorum.election.timeout.ms': '500',
  };
}

export function renderProperties(props: Record<string, string>): string {
  const escapeValue = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${escapeValue(v)}`)
    .join('\n')}\n`;
}

export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const i = line.search(/[=:]/);
    if (i < 0) continue;
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** log4j2 configuration (properties syntax: the YAML/JSON readers need jars the broker does not ship). */
export function log4jConfig(logFile: string): string {
  return `${[
    'status = warn',
    'name = kafka',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile.replace(/\\/g, '/')}`,
    'appender.file.append = true',
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    // The request and state-change loggers repeat every partition move at INFO; keep the log readable.
    'logger.request.name = kafka.request.logger',
    'logger.request.level = warn',
    'logger.statechange.name = state.change.logger',
    'logger.statechange.level = warn',
    'logger.authorizer.name = kafka.authorizer.logger',
    'logger.authorizer.level = warn',
  ].join('\n')}\n`;
}

/**
 * A random Kafka cluster id: 16 random bytes in URL-safe base64 without padding, as Kafka's Uuid prints it.
 * Like Kafka's own Uuid.randomUuid, ids starting with '-' are avoided (they read as options on a command line).
 */
export function newClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-') && !/^A{21}[AQ]$/.test(id)) return id;
  }
}

export function isClusterId(s: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(s);
}

export const DEFAULT_KAFKA_HEAP_OPTS = '-Xmx768m -Xms768m';

/** JVM flags of a broker: bounded heap, G1 with short pauses, log4j2 pointed at the node's config. */
export function brokerJvmArgs(heapOpts: readonly string[], log4jFile: string, logsDir: string): string[] {
  return [
    ...heapOpts,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
    `-Dkafka.logs.dir=${logsDir}`,
  ];
}
