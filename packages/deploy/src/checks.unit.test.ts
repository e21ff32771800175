// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose's ${VAR} substitutions
import { envVar, hostPortList, httpUrl, oneOf, port, text } from '@open-bank/config';
import { describe, expect, it } from 'vitest';
import {
  type ComposeFacts,
  checkCompose,
  checkDockerfileVersions,
  checkHostChoice,
  checkNativeBinding,
  checkServiceImage,
  type NativeBindingFacts,
  type RepoFiles,
} from './checks.ts';
import { parseCompose } from './compose.ts';
import { parseDockerfile } from './dockerfile.ts';

const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG NODE_IMAGE=node:20-alpine
FROM \${NODE_IMAGE} AS build
ARG SERVICE
COPY . .
FROM \${NODE_IMAGE} AS service
ARG SERVICE
ARG PNPM_VERSION=10.0.0
COPY --from=build /app /app
COPY nginx/nginx.conf /etc/x.conf
USER node
FROM \${NODE_IMAGE} AS rootly
`;

// An in-memory repository: paths to contents; a trailing slash marks a directory.
function memoryFiles(entries: Record<string, string>, executable: string[] = []): RepoFiles {
  const dirs = new Set(['.']);
  for (const path of Object.keys(entries)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return {
    isFile: (p) => entries[p] !== undefined,
    isDirectory: (p) => dirs.has(p),
    isExecutable: (p) => executable.includes(p),
    list: (p) =>
      Object.keys(entries)
        .filter((f) => f.startsWith(`${p}/`))
        .map((f) => f.slice(p.length + 1)),
    read: (p) => entries[p],
  };
}

const files = memoryFiles(
  {
    'docker/Dockerfile': DOCKERFILE,
    'nginx/nginx.conf': '',
    'packages/pinger/src/main.ts': '',
    'docker/init/10-run.sh': '',
  },
  ['docker/init/10-run.sh'],
);

const pingerSpec = {
  brokers: envVar('KAFKA_BROKERS', hostPortList(), { default: 'localhost:9092' }),
  registry: envVar('SCHEMA_REGISTRY_URL', httpUrl(), { default: 'http://localhost:8081' }),
  name: envVar('PINGER_NAME', text()),
  port: envVar('PINGER_PORT', port(), { default: '7000' }),
};

const facts: ComposeFacts = {
  requiredServices: ['kafka', 'setup', 'pinger'],
  hostPorts: { kafka: 9092, pinger: 7000 },
  oneShot: ['setup'],
  configSpecs: { pinger: pingerSpec, setup: {} },
  imageTools: { 'apache/kafka': ['/opt/kafka/bin/kafka-broker-api-versions.sh'], postgres: ['pg_isready'] },
  targetTools: { service: ['node'] },
  kafkaImage: 'apache/kafka:4.1.1',
  postgresMajor: '17',
  files,
};

const GOOD = `
x-build: &build
  context: .
  dockerfile: docker/Dockerfile
  target: service
services:
  kafka:
    image: apache/kafka:4.1.1
    restart: unless-stopped
    mem_limit: 1g
    environment:
      CLUSTER_ID: abc
      KAFKA_NODE_ID: "1"
      KAFKA_PROCESS_ROLES: broker,controller
      KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:9093
      KAFKA_LISTENERS: PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:29092
      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://kafka:9092,HOST://localhost:9092
      KAFKA_INTER_BROKER_LISTENER_NAME: PLAINTEXT
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false"
      KAFKA_DEFAULT_REPLICATION_FACTOR: \${REPLICATION:-1}
    ports: ["9092:29092"]
    healthcheck:
      test: [CMD-SHELL, "X=1 /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092"]
  setup:
    build:
      <<: *build
      args: { SERVICE: pinger }
    restart: "no"
    mem_limit: 128m
    environment: &client
      KAFKA_BROKERS: kafka:9092
      SCHEMA_REGISTRY_URL: http://kafka:9092
      PINGER_NAME: setup
    depends_on:
      kafka: { condition: service_healthy }
  pinger:
    build:
      <<: *build
      args: { SERVICE: pinger }
    restart: unless-stopped
    mem_limit: 128m
    environment:
      <<: *client
      PINGER_NAME: pinger
    ports: ["7000:7000"]
    depends_on:
      setup: { condition: service_completed_successfully }
    healthcheck:
      test: [CMD, node, -e, "fetch('http://127.0.0.1:7000/health')"]
`;

const check = (text: string, profiles: string[] = [], vars = {}) =>
  checkCompose(parseCompose(text, vars), profiles, facts);

describe('checkCompose', () => {
  it('finds nothing wrong in a sound project', () => {
    expect(check(GOOD)).toEqual([]);
  });

  it('reports a required service that is missing', () => {
    expect(check(GOOD.replace('  setup:', '  prepare:'))).toContain('service setup is missing');
  });

  it('reports a missing Dockerfile, an unknown target and an undeclared build arg', () => {
    expect(check(GOOD.replace('docker/Dockerfile', 'docker/Dockerfile.nope'))).toContain(
      'service setup: Dockerfile docker/Dockerfile.nope does not exist',
    );
    expect(check(GOOD.replace('target: service', 'target: runtime'))).toContain(
      'service setup: docker/Dockerfile has no stage runtime',
    );
    expect(
      check(GOOD.replace('args: { SERVICE: pinger }', 'args: { SERVICE: pinger, FLAVOUR: x }')),
    ).toContain(
      'service setup: build arg FLAVOUR is not declared (ARG) for stage service of docker/Dockerfile',
    );
  });

  it('reports a build arg SERVICE naming no package, and a target that runs as root', () => {
    const problems = check(
      GOOD.replace(
        'args: { SERVICE: pinger }\n    restart: "no"',
        'args: { SERVICE: pnger }\n    restart: "no"',
      ),
    );
    expect(problems).toContain(
      'service setup: build arg SERVICE=pnger: packages/pnger/src/main.ts does not exist',
    );
    expect(check(GOOD.replace('target: service', 'target: rootly'))).toContain(
      'service setup: stage rootly of docker/Dockerfile runs as root (no USER)',
    );
  });

  it('derives the required environment from the config spec', () => {
    const problems = check(GOOD.replace('      PINGER_NAME: setup\n', ''));
    expect(problems).toContain('service setup: PINGER_NAME is required by its config and not set');
  });

  it('reports a variable whose default means the container itself', () => {
    expect(check(GOOD.replace('      KAFKA_BROKERS: kafka:9092\n', ''))).toContain(
      'service setup: KAFKA_BROKERS is not set: its default localhost:9092 is the container itself',
    );
  });

  it('reports a variable the config does not read (a typo) and a value it rejects', () => {
    expect(check(GOOD.replace('PINGER_NAME: pinger', 'PINGR_NAME: pinger'))).toContain(
      'service pinger: PINGR_NAME is set but its config does not read it',
    );
    const rejected = check(GOOD.replace('KAFKA_BROKERS: kafka:9092', 'KAFKA_BROKERS: kafka'));
    expect(
      rejected.some(
        (p) =>
          p.startsWith('service setup: its config rejects the environment: ') && p.includes('KAFKA_BROKERS'),
      ),
    ).toBe(true);
  });

  it('reports hosts that are not services, and a broker address Kafka does not advertise', () => {
    expect(check(GOOD.replace('KAFKA_BROKERS: kafka:9092', 'KAFKA_BROKERS: broker:9092'))).toContain(
      'service setup: KAFKA_BROKERS names broker, which is not a service here',
    );
    expect(check(GOOD.replace('KAFKA_BROKERS: kafka:9092', 'KAFKA_BROKERS: kafka:29092'))).toContain(
      'service setup: KAFKA_BROKERS: kafka:29092 is not one of its advertised listeners (PLAINTEXT://kafka:9092,HOST://localhost:9092)',
    );
  });

  it('checks depends_on targets and conditions', () => {
    expect(
      check(GOOD.replace('kafka: { condition: service_healthy }', 'kafak: { condition: service_healthy }')),
    ).toContain('service setup: depends on kafak, which is not defined');
    expect(check(GOOD.replace('service_healthy', 'service_ready'))).toContain(
      'service setup: depends on kafka with unknown condition service_ready',
    );
    const noHealth = GOOD.replace(/ {4}healthcheck:\n {6}test: \[CMD-SHELL[^\n]*\n/, '');
    expect(check(noHealth)).toContain(
      'service setup: waits for kafka to be healthy, but kafka has no healthcheck',
    );
  });

  it('requires the one-shot service to be one-shot and waited for', () => {
    expect(check(GOOD.replace('restart: "no"', 'restart: unless-stopped'))).toContain(
      'service pinger: waits for setup to complete, but setup is not one-shot (restart "no")',
    );
    expect(
      check(
        GOOD.replace(
          'setup: { condition: service_completed_successfully }',
          'setup: { condition: service_started }',
        ),
      ),
    ).toContain(
      'service pinger: does not wait for setup to complete (depends_on condition service_completed_successfully)',
    );
  });

  it('refuses a required dependency on a service of an inactive profile', () => {
    const text = GOOD.replace(
      '    depends_on:\n      kafka: { condition: service_healthy }',
      '    depends_on:\n      kafka: { condition: service_healthy }\n      extra: { condition: service_started }',
    ).concat(
      '  extra:\n    image: postgres:17-alpine\n    profiles: [more]\n    restart: always\n    mem_limit: 64m\n    healthcheck:\n      test: [CMD, pg_isready]\n',
    );
    expect(check(text)).toContain(
      'service setup: depends on extra of profile more: Compose refuses it without required: false',
    );
    expect(
      check(
        text.replace(
          'extra: { condition: service_started }',
          'extra: { condition: service_started, required: false }',
        ),
      ),
    ).toEqual([]);
  });

  it('requires restart policies, healthchecks with tools the image has, and memory limits', () => {
    expect(check(GOOD.replace('restart: unless-stopped\n    mem_limit: 128m', 'mem_limit: 128m'))).toContain(
      'service pinger: runs for long: needs a restart policy (unless-stopped, always, on-failure), has none',
    );
    expect(
      check(
        GOOD.replace(
          'test: [CMD, node, -e, "fetch(\'http://127.0.0.1:7000/health\')"]',
          'test: [CMD, curl, -f, http://127.0.0.1:7000/health]',
        ),
      ),
    ).toContain('service pinger: healthcheck runs curl, which its image does not have (it has node)');
    expect(check(GOOD.replace('127.0.0.1:7000/health', '127.0.0.1:7001/health'))).toContain(
      "service pinger: healthcheck does not ask the service's own port 7000",
    );
    expect(check(GOOD.replace('    mem_limit: 1g\n', ''))).toContain(
      'service kafka: has no memory limit (mem_limit or deploy.resources.limits.memory)',
    );
  });

  it('rejects sleeps', () => {
    const text = GOOD.replace(
      '    restart: "no"\n',
      '    restart: "no"\n    command: sh -c "sleep 10 && node src/main.ts"\n',
    );
    expect(check(text)).toContain(
      'service setup: uses sleep: start order comes from healthchecks and depends_on conditions',
    );
  });

  it('checks the published ports', () => {
    expect(check(GOOD.replace('ports: ["7000:7000"]', 'ports: ["7001:7000"]'))).toContain(
      'service pinger: must publish host port 7000, publishes 7001',
    );
    expect(check(GOOD.replace('ports: ["7000:7000"]', 'ports: ["7000:7001"]'))).toContain(
      'service pinger: publishes container port 7001, but listens on 7000',
    );
    expect(check(GOOD.replace('ports: ["7000:7000"]', 'ports: ["9092:7000"]'))).toContain(
      'host port 9092 is published by kafka and pinger',
    );
  });

  it('checks mounts: repository paths, executable init scripts, declared volumes', () => {
    const mount = (line: string) =>
      GOOD.replace('    mem_limit: 1g\n', `    mem_limit: 1g\n    volumes:\n      - ${line}\n`);
    expect(check(mount('./docker/init:/docker-entrypoint-initdb.d:ro'))).toEqual([]);
    expect(check(mount('./docker/initdb:/docker-entrypoint-initdb.d:ro'))).toContain(
      'service kafka: mounts ./docker/initdb, which does not exist',
    );
    const notExecutable = checkCompose(
      parseCompose(mount('./docker/init:/docker-entrypoint-initdb.d:ro')),
      [],
      {
        ...facts,
        files: { ...files, isExecutable: () => false },
      },
    );
    expect(notExecutable).toContain('service kafka: init script docker/init/10-run.sh is not executable');
    expect(check(mount('kafka-data:/var/lib/kafka/data'))).toContain(
      'service kafka: uses volume kafka-data, which is not declared under volumes',
    );
  });

  it('checks the Kafka image, cluster, listeners and replication', () => {
    expect(check(GOOD.replace('image: apache/kafka:4.1.1', 'image: apache/kafka:3.9.0'))).toContain(
      "service kafka: image apache/kafka:3.9.0 differs from local mode's Kafka (apache/kafka:4.1.1)",
    );
    expect(check(GOOD, [], { REPLICATION: '3' })).toContain(
      'service kafka: KAFKA_DEFAULT_REPLICATION_FACTOR=3 but 1 broker(s) run',
    );
    expect(check(GOOD.replace('1@kafka:9093', '1@kafka:9094'))).toContain(
      'controller 1@kafka:9094: kafka has no CONTROLLER listener on port 9094',
    );
    expect(check(GOOD.replace('ports: ["9092:29092"]', 'ports: ["9093:29092"]'))).toContain(
      'service kafka: advertises HOST as localhost:9092 but does not publish 9092:29092',
    );
    expect(
      check(
        GOOD.replace('KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false"', 'KAFKA_AUTO_CREATE_TOPICS_ENABLE: "true"'),
      ),
    ).toContain('service kafka: must not create topics on first use');
  });

  it('reports a variable that is used without value or default', () => {
    expect(check(GOOD.replace('CLUSTER_ID: abc', 'CLUSTER_ID: ${KAFKA_CLUSTER}'))).toContain(
      'variable KAFKA_CLUSTER is used but not set and has no default',
    );
  });
});

describe('checkServiceImage', () => {
  const GOOD_IMAGE = `ARG NODE_IMAGE=node:20-alpine
FROM \${NODE_IMAGE} AS service-build
ARG SERVICE
RUN pnpm --filter @open-bank/build exec tsx src/cli.ts "\${SERVICE}"
FROM \${NODE_IMAGE} AS service
ARG SERVICE
COPY --from=service-build /app/packages/\${SERVICE}/dist /app/packages/\${SERVICE}/dist
CMD ["node", "dist/main.js"]
`;

  it('accepts a service stage running node on the bundle its build stage made', () => {
    expect(checkServiceImage(parseDockerfile(GOOD_IMAGE))).toEqual([]);
  });

  it('reports a service run with tsx, or without the built dist', () => {
    const tsx = GOOD_IMAGE.replace('["node", "dist/main.js"]', '["node", "--import", "tsx", "src/main.ts"]');
    expect(checkServiceImage(parseDockerfile(tsx))).toEqual([
      'stage service: CMD must run node on dist/main.js, not ["node","--import","tsx","src/main.ts"]',
      'stage service: runs tsx; the image runs the built JavaScript',
    ]);
    const noCopy = GOOD_IMAGE.replace(
      /^COPY --from=service-build .*$/m,
      'COPY --from=service-build /app /app',
    );
    expect(checkServiceImage(parseDockerfile(noCopy))).toEqual([
      'stage service: does not copy /app/packages/${SERVICE}/dist from stage service-build',
    ]);
    const noBuild = GOOD_IMAGE.replace(/^RUN .*$/m, 'RUN true');
    expect(checkServiceImage(parseDockerfile(noBuild))).toEqual([
      'no stage builds the service of build arg SERVICE with @open-bank/build',
    ]);
  });
});

describe('checkDockerfileVersions', () => {
  it('accepts matching versions and reports drift', () => {
    const df = parseDockerfile(DOCKERFILE);
    expect(checkDockerfileVersions(df, { pnpmVersion: '10.0.0', nodeMajor: '20' })).toEqual([]);
    expect(checkDockerfileVersions(df, { pnpmVersion: '10.1.0', nodeMajor: '22' })).toEqual([
      'ARG PNPM_VERSION=10.0.0, the repository uses 10.1.0',
      "stage build runs node:20-alpine, the repository's engines say Node.js 22",
      "stage service runs node:20-alpine, the repository's engines say Node.js 22",
      "stage rootly runs node:20-alpine, the repository's engines say Node.js 22",
    ]);
  });
});

describe('checkHostChoice', () => {
  const specs = {
    reader: { client: envVar('KAFKA_CLIENT', oneOf(['kafkajs', 'confluent']), { default: 'kafkajs' }) },
    other: { name: envVar('OTHER_NAME', text(), { default: 'x' }) },
  };
  const choice = { variable: 'KAFKA_CLIENT', fallback: 'kafkajs', values: ['kafkajs', 'confluent'] };
  const compose = (readerEnv: string) => `
x-client: &client
  KAFKA_CLIENT: \${KAFKA_CLIENT:-kafkajs}
services:
  reader:
    build: { context: ., args: { SERVICE: reader } }
    environment:
${readerEnv}
  other:
    build: { context: ., args: { SERVICE: other } }
    environment: { OTHER_NAME: y }
  off:
    build: { context: ., args: { SERVICE: reader } }
    profiles: [later]
`;

  it('accepts a service that receives the host choice and the fallback', () => {
    expect(checkHostChoice(compose('      <<: *client'), choice, { configSpecs: specs })).toEqual([]);
  });

  it('reports a service left to its own default, one that ignores the host, and a value its config refuses', () => {
    expect(checkHostChoice(compose('      OTHER: "1"'), choice, { configSpecs: specs })).toEqual([
      'service reader: KAFKA_CLIENT is not passed on (host unset)',
      "service reader: KAFKA_CLIENT is not passed on (host '')",
      "service reader: KAFKA_CLIENT is not passed on (host 'kafkajs')",
      "service reader: KAFKA_CLIENT is not passed on (host 'confluent')",
    ]);
    const fixed = checkHostChoice(compose('      KAFKA_CLIENT: kafkajs'), choice, { configSpecs: specs });
    expect(fixed).toEqual([
      "service reader: KAFKA_CLIENT is 'kafkajs' with the host's 'confluent', not 'confluent'",
    ]);
    // `-` instead of `:-`: an empty host value reaches the service, and its config refuses it.
    const dash = checkHostChoice(compose('      KAFKA_CLIENT: ${KAFKA_CLIENT-kafkajs}'), choice, {
      configSpecs: specs,
    });
    expect(dash).toEqual(["service reader: KAFKA_CLIENT is '' with the host's '', not 'kafkajs'"]);
    const refused = checkHostChoice(
      compose('      <<: *client'),
      { ...choice, values: ['kafkajs', 'platformatic'] },
      { configSpecs: specs },
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^service reader: its config rejects KAFKA_CLIENT=platformatic: /);
  });

  it('reports a choice no service reads, and follows the active profiles', () => {
    expect(
      checkHostChoice(
        compose('      <<: *client'),
        { ...choice, variable: 'NOBODY' },
        { configSpecs: specs },
      ),
    ).toEqual(['no service reads NOBODY']);
    const later = checkHostChoice(
      compose('      <<: *client'),
      choice,
      { configSpecs: specs },
      { profiles: ['later'] },
    );
    expect(later).toContain('service off: KAFKA_CLIENT is not passed on (host unset)');
  });
});

describe('checkNativeBinding', () => {
  const native: NativeBindingFacts = {
    script: 'scripts/build-native.mjs',
    buildPackages: ['g++', 'libfoo-dev'],
    runtimePackages: ['libfoo1'],
  };
  const GOOD_NATIVE = `ARG BUILD_IMAGE=node:20-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
FROM \${BUILD_IMAGE} AS tools
RUN apt-get update && apt-get install -y --no-install-recommends g++ libfoo-dev && rm -rf /var/lib/apt/lists/*
FROM tools AS native
COPY scripts/build-native.mjs scripts/
RUN node scripts/build-native.mjs && cp -a build /out
FROM \${BUILD_IMAGE} AS deps
COPY --from=native /out /out
FROM \${NODE_IMAGE} AS runtime-base
RUN apt-get update \\
  && apt-get install -y --no-install-recommends libfoo1 \\
  && rm -rf /var/lib/apt/lists/*
FROM runtime-base AS service
COPY --from=deps /app /app
USER node
`;

  it('accepts a binding built in one stage and carried to a glibc image with its libraries', () => {
    expect(checkNativeBinding(parseDockerfile(GOOD_NATIVE), native)).toEqual([]);
  });

  it('reports a musl or other-distribution runtime, missing libraries and build packages in the image', () => {
    const alpine = GOOD_NATIVE.replace('NODE_IMAGE=node:20-bookworm-slim', 'NODE_IMAGE=node:20-alpine');
    expect(checkNativeBinding(parseDockerfile(alpine), native)).toEqual([
      'stage service: runs on node:20-alpine (musl): the binding is built for glibc and does not load',
    ]);
    const bullseye = GOOD_NATIVE.replace(
      'NODE_IMAGE=node:20-bookworm-slim',
      'NODE_IMAGE=node:20-bullseye-slim',
    );
    expect(checkNativeBinding(parseDockerfile(bullseye), native)).toEqual([
      'stage service: runs on node:20-bullseye-slim, the binding is built on node:20-bookworm: not the same distribution',
    ]);
    const fat = GOOD_NATIVE.replace(
      'apt-get install -y --no-install-recommends libfoo1 \\\n  && rm -rf /var/lib/apt/lists/*',
      'apt-get install -y g++',
    );
    expect(checkNativeBinding(parseDockerfile(fat), native)).toEqual([
      "stage service: lacks the binding's shared libraries libfoo1",
      'stage service: installs build packages g++',
      'stage service: apt-get install g++ without --no-install-recommends',
      'stage service: apt-get install g++ leaves /var/lib/apt/lists in the image',
    ]);
  });

  it('reports a build without its packages or its script, and a binding that never reaches the target', () => {
    const bare = GOOD_NATIVE.replace(' g++ libfoo-dev', ' g++').replace(
      'COPY scripts/build-native.mjs scripts/',
      'COPY package.json ./',
    );
    expect(checkNativeBinding(parseDockerfile(bare), native)).toEqual([
      'stage native: builds the binding without libfoo-dev',
      'stage native: runs scripts/build-native.mjs but does not copy it in',
    ]);
    const lost = GOOD_NATIVE.replace('COPY --from=native /out /out', 'COPY --from=tools /usr /usr');
    expect(checkNativeBinding(parseDockerfile(lost), native)).toEqual([
      'stage service: does not get the binding stage native builds',
    ]);
    expect(
      checkNativeBinding(parseDockerfile(GOOD_NATIVE.replace(/^RUN node .*$/m, 'RUN true')), native),
    ).toEqual(['no stage runs node scripts/build-native.mjs']);
  });
});
