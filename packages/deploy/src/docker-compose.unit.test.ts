// The Docker demo as committed: docker-compose.yml, docker/ and the env file of the three-broker profile,
// read and checked without Docker (no engine where the tests run). Reads repository files, nothing else.
import { commandGeneratorConfigSpec } from '@open-bank/command-generator';
import { commandHandlerConfigSpec } from '@open-bank/command-handler';
import { parseConfig } from '@open-bank/config';
import { graphqlEndpointConfigSpec } from '@open-bank/graphql-endpoint';
import { heartbeatConfigSpec } from '@open-bank/heartbeat';
import { brokerProperties, kafkaNodes, portLayout } from '@open-bank/stack';
import { synchronizerConfigSpec } from '@open-bank/synchronizer';
import { describe, expect, it } from 'vitest';
import {
  type ComposeFacts,
  checkCompose,
  checkDockerfileVersions,
  checkHostChoice,
  checkNativeBinding,
  checkServiceImage,
  type NativeBindingFacts,
} from './checks.ts';
import { activeServices, parseCompose, parseEnvFile } from './compose.ts';
import { parseDockerfile, stageNamed } from './dockerfile.ts';
import { checkObservability, dashboardMetricNames } from './observability.ts';
import { repoFacts, repoFiles } from './repo.ts';

const files = repoFiles();
const versions = repoFacts(files);
const read = (path: string) => {
  const text = files.read(path);
  if (text === undefined) throw new Error(`${path} is missing`);
  return text;
};

const facts: ComposeFacts = {
  requiredServices: [
    'kafka',
    'schema-registry',
    'postgres',
    'synchronizer',
    'heartbeat',
    'command-generator',
    'command-handler',
    'graphql-endpoint',
    'frontend',
    'prometheus',
    'grafana',
  ],
  // Only the frontend and Grafana are on the host (SPEC §6's 8181); the bench profile adds what the benchmark reads.
  hostPorts: { frontend: 8181, grafana: 3000, 'bench-ports': 17888 },
  oneShot: ['synchronizer'],
  // Keyed by the build arg SERVICE (the package folder); the checks fail for a service missing here.
  configSpecs: {
    synchronizer: synchronizerConfigSpec,
    heartbeat: heartbeatConfigSpec,
    'command-generator': commandGeneratorConfigSpec,
    'command-handler': commandHandlerConfigSpec,
    'graphql-endpoint': graphqlEndpointConfigSpec,
  },
  imageTools: {
    'apache/kafka': ['/opt/kafka/bin/kafka-broker-api-versions.sh'],
    'confluentinc/cp-schema-registry': ['curl'],
    postgres: ['pg_isready', 'psql'],
    // Both official images carry BusyBox's wget.
    'prom/prometheus': ['wget'],
    'grafana/grafana': ['wget'],
    'alpine/socat': ['nc', 'socat'],
  },
  // docker/Dockerfile: `service` is node on Debian, `frontend` nginx on Alpine (BusyBox wget).
  targetTools: { service: ['node'], frontend: ['wget'] },
  kafkaImage: `apache/kafka:${versions.kafkaVersion}`,
  postgresMajor: versions.postgresMajor,
  files,
};

const composeText = read('docker-compose.yml');

// The choice of Kafka client: every service on the port gets it from the host, kafkajs by default.
const kafkaClient = {
  variable: 'KAFKA_CLIENT',
  fallback: 'kafkajs',
  values: ['kafkajs', 'confluent', 'platformatic'],
};

// What scripts/build-kafka-native.mjs needs on Debian (README, Prerequisites), and the shared libraries the
// binding then loads: librdkafka's zlib, OpenSSL, SASL, zstd, lz4 and curl.
const kafkaNative: NativeBindingFacts = {
  script: 'scripts/build-kafka-native.mjs',
  buildPackages: [
    'g++',
    'make',
    'python3',
    'pkg-config',
    'zlib1g-dev',
    'libssl-dev',
    'libsasl2-dev',
    'libzstd-dev',
    'liblz4-dev',
    'libcurl4-openssl-dev',
  ],
  runtimePackages: ['libssl3', 'libsasl2-2', 'libzstd1', 'liblz4-1', 'libcurl4', 'zlib1g'],
};
const cluster3Env = parseEnvFile(read('docker/cluster3.env'));

describe('docker-compose.yml', () => {
  it('has the eleven services, built from the repository or pinned images', () => {
    const project = parseCompose(composeText);
    expect(Object.keys(project.services)).toEqual(expect.arrayContaining([...facts.requiredServices]));
  });

  it('passes every check with one broker', () => {
    expect(checkCompose(parseCompose(composeText), [], facts)).toEqual([]);
  });

  it('passes every check in the cluster3 profile with docker/cluster3.env', () => {
    const profiles = (cluster3Env.COMPOSE_PROFILES ?? '').split(',');
    expect(profiles).toEqual(['cluster3']);
    const project = parseCompose(composeText, cluster3Env);
    expect(activeServices(project, profiles).filter((s) => s.image?.startsWith('apache/kafka'))).toHaveLength(
      3,
    );
    expect(checkCompose(project, profiles, facts)).toEqual([]);
  });

  it('publishes only the frontend and Grafana on the host, and what the benchmark reads only in the bench profile', () => {
    const published = (profiles: string[]) =>
      activeServices(parseCompose(composeText), profiles)
        .filter((s) => s.ports.length > 0)
        .map((s) => `${s.name}:${s.ports.map((p) => p.host).join(',')}`);
    expect(published([]).sort()).toEqual(['frontend:8181', 'grafana:3000']);
    expect(published(['cluster3']).sort()).toEqual(['frontend:8181', 'grafana:3000']);
    expect(published(['bench']).sort()).toEqual(
      ['bench-ports:17888,17889,17890,8888', 'frontend:8181', 'grafana:3000'].sort(),
    );
    expect(checkCompose(parseCompose(composeText), ['bench'], facts)).toEqual([]);
  });

  it('turns introspection off in the deployment, trusts only private proxies, allows no foreign origin', () => {
    const env = parseCompose(composeText).services['graphql-endpoint']?.environment ?? {};
    const config = parseConfig(graphqlEndpointConfigSpec, env);
    expect(config.introspection).toBe(false);
    expect(config.allowedOrigins).toEqual([]);
    expect(env.TRUSTED_PROXIES).toBe('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
    const on = parseCompose(composeText, { GRAPHQL_INTROSPECTION: 'true' }).services['graphql-endpoint'];
    expect(parseConfig(graphqlEndpointConfigSpec, on?.environment ?? {}).introspection).toBe(true);
  });

  it("passes the host's KAFKA_CLIENT, kafkajs by default, to every service on the Kafka port", () => {
    expect(checkHostChoice(composeText, kafkaClient, facts)).toEqual([]);
    const profiles = (cluster3Env.COMPOSE_PROFILES ?? '').split(',');
    expect(checkHostChoice(composeText, kafkaClient, facts, { profiles, vars: cluster3Env })).toEqual([]);
    // The services whose config reads it are those four; the synchronizer (kafkajs alone) gets nothing.
    const readers = Object.entries(facts.configSpecs)
      .filter(([, spec]) => Object.values(spec).some((v) => v.variable === 'KAFKA_CLIENT'))
      .map(([name]) => name);
    expect(readers.sort()).toEqual(['command-generator', 'command-handler', 'graphql-endpoint', 'heartbeat']);
    const chosen = parseCompose(composeText, { KAFKA_CLIENT: 'confluent' }).services;
    for (const name of readers) {
      const spec = facts.configSpecs[name] ?? {};
      expect(
        (parseConfig(spec, chosen[name]?.environment ?? {}) as { kafkaClient: string }).kafkaClient,
      ).toBe('confluent');
    }
    expect(chosen.synchronizer?.environment).not.toHaveProperty('KAFKA_CLIENT');
  });

  it('does not start the extra brokers without the profile', () => {
    const names = activeServices(parseCompose(composeText), []).map((s) => s.name);
    expect(names).not.toContain('kafka-2');
    expect(names).not.toContain('kafka-3');
  });

  it('gives the three-broker cluster replication 3 and min.insync.replicas 2, one broker replication 1', () => {
    const one = parseCompose(composeText).services.kafka?.environment;
    const three = parseCompose(composeText, cluster3Env).services.kafka?.environment;
    expect(one?.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(three?.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('3');
    expect(three?.KAFKA_MIN_INSYNC_REPLICAS).toBe('2');
  });

  it("sets every broker setting of local mode's Kafka config on each broker, with the same value", () => {
    // What differs by design: where each node listens and keeps its data, and who votes (compose has one
    // controller; local mode three combined nodes).
    const perNode = new Set([
      'process.roles',
      'node.id',
      'controller.quorum.voters',
      'listeners',
      'advertised.listeners',
      'log.dirs',
    ]);
    const nodes = kafkaNodes(portLayout(0), 3);
    for (const [vars, count] of [
      [{}, 1],
      [cluster3Env, 3],
    ] as const) {
      const local = brokerProperties({
        node: nodes[0] as (typeof nodes)[number],
        nodes: nodes.slice(0, count),
        host: '127.0.0.1',
        dataDir: '/data',
      });
      const project = parseCompose(composeText, vars);
      const differences: string[] = [];
      for (const broker of ['kafka', 'kafka-2', 'kafka-3'].slice(0, count)) {
        const env = project.services[broker]?.environment ?? {};
        for (const [key, value] of Object.entries(local)) {
          if (perNode.has(key)) continue;
          const name = `KAFKA_${key.toUpperCase().replace(/\./g, '_')}`;
          if (env[name] !== value) differences.push(`${broker} ${name}=${env[name]} (local mode: ${value})`);
        }
      }
      expect(differences).toEqual([]);
    }
  });
});

describe('Prometheus and Grafana', () => {
  it('scrape every service and provision the data source and the dashboard, anonymous viewers only', () => {
    expect(checkObservability(parseCompose(composeText), [], facts)).toEqual([]);
    const profiles = (cluster3Env.COMPOSE_PROFILES ?? '').split(',');
    expect(checkObservability(parseCompose(composeText, cluster3Env), profiles, facts)).toEqual([]);
  });

  it("draw the figures the issue asks for from the services' metrics", () => {
    const names = dashboardMetricNames(JSON.parse(read('docker/grafana/dashboards/open-bank.json')));
    for (const name of [
      'open_bank_commands_total',
      'open_bank_graphql_answer_seconds_count',
      'open_bank_hop_seconds_bucket',
      'open_bank_consumer_lag',
      'open_bank_messages_handled_total',
      'open_bank_graphql_websockets',
      'open_bank_graphql_transaction_subscriptions',
      'open_bank_graphql_pending_answers',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'open_bank_kafka_transaction_retries_total',
    ])
      expect(names).toContain(name);
  });

  it('finds what is wrong with a broken setup', () => {
    const broken = composeText.replace(
      'GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer',
      'GF_AUTH_ANONYMOUS_ORG_ROLE: Admin',
    );
    const project = parseCompose(broken);
    const problems = checkObservability(project, [], facts);
    expect(problems).toContain('service grafana: GF_AUTH_ANONYMOUS_ORG_ROLE must be Viewer (read-only)');
    // The scrape config is a file of its own: the same checks against an edited copy.
    const files = {
      ...facts.files,
      read: (path: string) =>
        path === 'docker/prometheus/prometheus.yml'
          ? read(path)
              .replace('- command-handler:17890', '- command-handler:9999')
              .replace(/^ *- heartbeat:17888\n/m, '')
          : facts.files.read(path),
    };
    const scrape = checkObservability(parseCompose(composeText), [], { ...facts, files });
    expect(scrape).toContain(
      'service prometheus: scrape target command-handler:9999: command-handler serves /metrics on 17890',
    );
    expect(scrape).toContain('service prometheus: does not scrape heartbeat');
  });
});

describe('docker/Dockerfile', () => {
  it('pins the pnpm and Node.js versions the repository uses', () => {
    expect(checkDockerfileVersions(parseDockerfile(read('docker/Dockerfile')), versions)).toEqual([]);
  });

  it('builds each service with @open-bank/build and runs the bundle with plain node', () => {
    const dockerfile = parseDockerfile(read('docker/Dockerfile'));
    expect(checkServiceImage(dockerfile)).toEqual([]);
    expect(stageNamed(dockerfile, 'service')?.cmd).toEqual(['node', 'dist/main.js']);
  });

  it('builds the Confluent binding once and runs every service on glibc with its shared libraries', () => {
    const dockerfile = parseDockerfile(read('docker/Dockerfile'));
    expect(checkNativeBinding(dockerfile, kafkaNative)).toEqual([]);
    // The binding reaches the images a compose service is built from (the target compose names).
    const targets = new Set(
      Object.values(parseCompose(composeText).services)
        .filter((s) => s.build?.args.SERVICE !== undefined)
        .map((s) => s.build?.target),
    );
    expect([...targets]).toEqual(['service']);
  });

  it('serves the frontend with the repository nginx config', () => {
    const frontend = parseDockerfile(read('docker/Dockerfile')).stages.find((s) => s.name === 'frontend');
    expect(frontend?.contextSources).toContain('nginx/nginx.conf');
  });
});

describe('.dockerignore', () => {
  it('keeps installed and generated files out of the build context', () => {
    const lines = read('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.stack', '.cache'])
      expect(lines).toContain(entry);
  });
});
