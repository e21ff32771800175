import { plannedTopics, resolveTopology, schemaText, type TopicPlan } from '@open-bank/topology';
import { describe, expect, it } from 'vitest';
import {
  type Action,
  type ClusterState,
  type CurrentTopic,
  effectiveReplication,
  isInSync,
  planSync,
  sameSchema,
} from './plan.ts';

const topology = resolveTopology();
const desired = plannedTopics(topology);
const withSubject = desired.filter((t) => t.subject !== undefined);

function topicAsCreated(t: TopicPlan, liveBrokers: number): CurrentTopic {
  return {
    name: t.name,
    partitions: t.partitions,
    replicationFactor: effectiveReplication(t.replicationFactor, liveBrokers),
    configs: { 'cleanup.policy': 'delete', 'retention.ms': '604800000', ...t.configs },
    overrides: { ...t.configs },
  };
}

/** The state a correct run leaves behind. */
function syncedState(liveBrokers = 1): ClusterState {
  return {
    liveBrokers,
    topics: [
      ...desired.map((t) => topicAsCreated(t, liveBrokers)),
      // What every real cluster holds besides our topics.
      { name: '__consumer_offsets', partitions: 50, replicationFactor: 1, configs: {}, overrides: {} },
      { name: '_schemas', partitions: 1, replicationFactor: 1, configs: {}, overrides: {} },
    ],
    subjects: Object.fromEntries(
      withSubject.map((t) => [t.subject, { latest: t.schema ? schemaText(t.schema) : '', latestVersion: 1 }]),
    ),
  };
}

function change(state: ClusterState, name: string, patch: Partial<CurrentTopic>): ClusterState {
  return { ...state, topics: state.topics.map((t) => (t.name === name ? { ...t, ...patch } : t)) };
}

function kinds(actions: readonly Action[]): string[] {
  return actions.map((a) => `${a.kind} ${a.kind === 'register-schema' ? a.subject : a.topic}`);
}

describe('planSync', () => {
  it('on an empty cluster creates all 16 topics and registers the 8 value schemas', () => {
    const plan = planSync(desired, { liveBrokers: 1, topics: [], subjects: {} });
    const creates = plan.actions.filter((a) => a.kind === 'create-topic');
    const registers = plan.actions.filter((a) => a.kind === 'register-schema');
    expect(creates.map((a) => a.topic)).toEqual(desired.map((t) => t.name));
    expect(registers.map((a) => a.subject)).toEqual(withSubject.map((t) => t.subject));
    expect(plan.actions).toHaveLength(24);
    expect(plan.findings).toEqual([]);
    // Topics are created before their schemas are registered.
    expect(plan.actions.slice(0, 16).every((a) => a.kind === 'create-topic')).toBe(true);
  });

  it('creates topics with the topology partitions and configs', () => {
    const plan = planSync(desired, { liveBrokers: 1, topics: [], subjects: {} });
    const heartbeat = plan.actions.find(
      (a) => a.kind === 'create-topic' && a.topic === topology.heartbeat.name,
    );
    expect(heartbeat).toEqual({
      kind: 'create-topic',
      topic: topology.heartbeat.name,
      partitions: 1,
      replicationFactor: 1,
      requestedReplicationFactor: 3,
      configs: { 'retention.ms': '900000' },
    });
    const cmt = plan.actions.find(
      (a) => a.kind === 'create-topic' && a.topic === topology.confirmMoneyTransfer.name,
    );
    expect(cmt).toMatchObject({ partitions: 9, configs: { 'retention.ms': '-1' } });
    const dlq = plan.actions.find(
      (a) => a.kind === 'create-topic' && a.topic === topology.confirmMoneyTransfer.deadLetter,
    );
    expect(dlq).toMatchObject({ partitions: 1, configs: { 'retention.ms': '-1' } });
  });

  it('caps replication at 1 live broker and at 3', () => {
    const one = planSync(desired, { liveBrokers: 1, topics: [], subjects: {} });
    const three = planSync(desired, { liveBrokers: 3, topics: [], subjects: {} });
    const five = planSync(desired, { liveBrokers: 5, topics: [], subjects: {} });
    const factors = (p: ReturnType<typeof planSync>) =>
      new Set(p.actions.flatMap((a) => (a.kind === 'create-topic' ? [a.replicationFactor] : [])));
    expect(factors(one)).toEqual(new Set([1]));
    expect(factors(three)).toEqual(new Set([3]));
    // More brokers than requested: the topology's 3 is the ceiling.
    expect(factors(five)).toEqual(new Set([3]));
  });

  it('plans nothing when the cluster is in sync', () => {
    for (const brokers of [1, 3]) {
      const plan = planSync(desired, syncedState(brokers));
      expect(plan).toEqual({ actions: [], findings: [], keptUnknown: [] });
      expect(isInSync(plan)).toBe(true);
    }
  });

  it('adds partitions when a topic has fewer than the topology', () => {
    const state = change(syncedState(), topology.balanceChanged.name, { partitions: 3 });
    const plan = planSync(desired, state);
    expect(plan.actions).toEqual([
      { kind: 'add-partitions', topic: topology.balanceChanged.name, from: 3, to: 9 },
    ]);
    expect(plan.findings).toEqual([]);
  });

  it('reports, and does not touch, a topic with more partitions than the topology', () => {
    const state = change(syncedState(), topology.heartbeat.name, { partitions: 4 });
    const plan = planSync(desired, state);
    expect(plan.actions).toEqual([]);
    expect(plan.findings).toEqual([
      { kind: 'too-many-partitions', topic: 'heartbeat', actual: 4, desired: 1 },
    ]);
    expect(isInSync(plan)).toBe(true);
  });

  it('alters a changed config and keeps the other overrides of the topic', () => {
    const state = change(syncedState(), topology.heartbeat.name, {
      configs: { 'retention.ms': '1000', 'cleanup.policy': 'delete', 'segment.ms': '60000' },
      overrides: { 'retention.ms': '1000', 'segment.ms': '60000' },
    });
    const plan = planSync(desired, state);
    expect(plan.actions).toEqual([
      {
        kind: 'alter-configs',
        topic: 'heartbeat',
        changes: [{ name: 'retention.ms', from: '1000', to: '900000' }],
        overrides: { 'retention.ms': '900000', 'segment.ms': '60000' },
      },
    ]);
  });

  it('alters a config the topology sets but the topic lacks', () => {
    const state = change(syncedState(), topology.heartbeat.name, { configs: {}, overrides: {} });
    const plan = planSync(desired, state);
    expect(plan.actions).toEqual([
      {
        kind: 'alter-configs',
        topic: 'heartbeat',
        changes: [{ name: 'retention.ms', from: undefined, to: '900000' }],
        overrides: { 'retention.ms': '900000' },
      },
    ]);
  });

  it('gives a history topic still on the broker default (7 days) infinite retention, as its dead letters', () => {
    const dlq = topology.balanceChanged.deadLetter;
    const defaults = { configs: { 'retention.ms': '604800000' }, overrides: {} };
    const state = change(change(syncedState(), topology.balanceChanged.name, defaults), dlq, defaults);
    const plan = planSync(desired, state);
    expect(plan.actions).toEqual([
      {
        kind: 'alter-configs',
        topic: topology.balanceChanged.name,
        changes: [{ name: 'retention.ms', from: '604800000', to: '-1' }],
        overrides: { 'retention.ms': '-1' },
      },
      {
        kind: 'alter-configs',
        topic: dlq,
        changes: [{ name: 'retention.ms', from: '604800000', to: '-1' }],
        overrides: { 'retention.ms': '-1' },
      },
    ]);
  });

  it('leaves configs the topology does not set alone', () => {
    const state = change(syncedState(), topology.balanceChanged.name, {
      configs: { 'retention.ms': '-1', 'segment.ms': '1' },
      overrides: { 'retention.ms': '-1', 'segment.ms': '1' },
    });
    expect(planSync(desired, state).actions).toEqual([]);
  });

  it('deletes a topic that is not in the topology', () => {
    const state = syncedState();
    const plan = planSync(desired, {
      ...state,
      topics: [
        ...state.topics,
        { name: 'foreign', partitions: 2, replicationFactor: 1, configs: {}, overrides: {} },
      ],
    });
    expect(plan.actions).toEqual([{ kind: 'delete-topic', topic: 'foreign', partitions: 2 }]);
  });

  it('keeps a foreign topic when deletion is turned off, and says so', () => {
    const state = syncedState();
    const plan = planSync(
      desired,
      {
        ...state,
        topics: [
          ...state.topics,
          { name: 'foreign', partitions: 1, replicationFactor: 1, configs: {}, overrides: {} },
        ],
      },
      { deleteUnknown: false },
    );
    expect(plan.actions).toEqual([]);
    expect(plan.keptUnknown).toEqual(['foreign']);
  });

  it('deletes only the unknown topics a narrowing predicate allows, and lists the rest as kept', () => {
    const state = syncedState();
    const extra = ['mine_a', 'theirs_b'].map((name) => ({
      name,
      partitions: 1,
      replicationFactor: 1,
      configs: {},
      overrides: {},
    }));
    const plan = planSync(
      desired,
      { ...state, topics: [...state.topics, ...extra] },
      {
        deletable: (t) => t.startsWith('mine_'),
      },
    );
    expect(kinds(plan.actions)).toEqual(['delete-topic mine_a']);
    expect(plan.keptUnknown).toEqual(['theirs_b']);
  });

  it('never deletes internal topics', () => {
    const state = syncedState();
    const internal = ['__consumer_offsets', '__transaction_state', '_schemas', '_confluent-metrics'];
    const plan = planSync(desired, {
      ...state,
      topics: internal.map((name) => ({
        name,
        partitions: 1,
        replicationFactor: 1,
        configs: {},
        overrides: {},
      })),
    });
    expect(plan.actions.filter((a) => a.kind === 'delete-topic')).toEqual([]);
  });

  it('keeps the dead-letter topics of the topology, even if a caller leaves them out of the desired list', () => {
    const onlyMain = desired.filter((t) => t.subject !== undefined);
    const plan = planSync(onlyMain, syncedState());
    expect(plan.actions).toEqual([]);
    // But a dead-letter topic of a topic that is not ours is foreign.
    const state = syncedState();
    const stray = planSync(desired, {
      ...state,
      topics: [
        ...state.topics,
        { name: 'other.dlq', partitions: 1, replicationFactor: 1, configs: {}, overrides: {} },
      ],
    });
    expect(kinds(stray.actions)).toEqual(['delete-topic other.dlq']);
  });

  it('deletes the old names when topics are renamed through overrides', () => {
    const renamed = plannedTopics(resolveTopology({ heartbeat: 'beats' }));
    const plan = planSync(renamed, syncedState());
    expect(kinds(plan.actions)).toEqual([
      'create-topic beats',
      'create-topic beats.dlq',
      'register-schema beats-value',
      'delete-topic heartbeat',
      'delete-topic heartbeat.dlq',
    ]);
  });

  it('reports a replication factor that differs from min(requested, live brokers)', () => {
    // Created on one broker, now three are live.
    const state = { ...syncedState(1), liveBrokers: 3 };
    const plan = planSync(desired, state);
    expect(plan.actions).toEqual([]);
    expect(plan.findings).toHaveLength(16);
    expect(plan.findings[0]).toEqual({
      kind: 'replication-differs',
      topic: 'heartbeat',
      actual: 1,
      expected: 3,
      requested: 3,
      liveBrokers: 3,
    });
    // Three replicas on a cluster down to one broker is also reported.
    expect(planSync(desired, { ...syncedState(3), liveBrokers: 1 }).findings).toHaveLength(16);
  });

  it('registers a schema whose subject is missing', () => {
    const state = syncedState();
    const subjects = { ...state.subjects };
    delete subjects[topology.moneyTransferFailed.subject];
    const plan = planSync(desired, { ...state, subjects });
    expect(plan.actions).toEqual([
      {
        kind: 'register-schema',
        subject: 'money_transfer_failed-value',
        topic: 'money_transfer_failed',
        schema: schemaText(topology.moneyTransferFailed.schema),
        reason: 'missing',
      },
    ]);
  });

  it('registers a schema whose latest version differs', () => {
    const state = syncedState();
    const old = { type: 'record', name: 'Heartbeat', namespace: 'nl.openweb.data', fields: [] };
    const plan = planSync(desired, {
      ...state,
      subjects: {
        ...state.subjects,
        [topology.heartbeat.subject]: { latest: JSON.stringify(old), latestVersion: 1 },
      },
    });
    expect(plan.actions).toEqual([
      {
        kind: 'register-schema',
        subject: 'heartbeat-value',
        topic: 'heartbeat',
        schema: schemaText(topology.heartbeat.schema),
        reason: 'differs',
      },
    ]);
  });

  it('reports, rather than registers, a schema that is an older version under a newer latest', () => {
    // Registering it again would only answer its id: the plan would never empty.
    const state = syncedState();
    const plan = planSync(desired, {
      ...state,
      subjects: {
        ...state.subjects,
        [topology.balanceChanged.subject]: { latest: '"string"', latestVersion: 2, ourVersion: 1 },
      },
    });
    expect(plan.actions).toEqual([]);
    expect(plan.findings).toEqual([
      { kind: 'schema-not-latest', subject: 'balance_changed-value', latestVersion: 2, ourVersion: 1 },
    ]);
  });

  it('does not re-register a schema stored with other whitespace or key order', () => {
    const state = syncedState();
    const ours = JSON.parse(schemaText(topology.heartbeat.schema)) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(ours).reverse());
    const stored = JSON.stringify(reordered, null, 2);
    expect(stored).not.toBe(schemaText(topology.heartbeat.schema));
    const plan = planSync(desired, {
      ...state,
      subjects: { ...state.subjects, [topology.heartbeat.subject]: { latest: stored, latestVersion: 3 } },
    });
    expect(plan.actions).toEqual([]);
  });

  it('orders mixed drift: create, partitions, configs, schemas, delete', () => {
    let state = syncedState();
    state = change(state, topology.heartbeat.name, { configs: {}, overrides: {} });
    state = change(state, topology.moneyTransferConfirmed.name, { partitions: 1 });
    state = {
      ...state,
      topics: [
        ...state.topics.filter((t) => t.name !== topology.accountCreationFailed.deadLetter),
        { name: 'aaa-foreign', partitions: 1, replicationFactor: 1, configs: {}, overrides: {} },
      ],
      subjects: {},
    };
    const plan = planSync(desired, state);
    expect(plan.actions.map((a) => a.kind)).toEqual([
      'create-topic',
      'add-partitions',
      'alter-configs',
      ...Array(8).fill('register-schema'),
      'delete-topic',
    ]);
    expect(plan.actions[0]).toMatchObject({ topic: 'account_creation_failed.dlq' });
  });
});

describe('sameSchema', () => {
  it('ignores whitespace and key order but not field order', () => {
    expect(sameSchema('{"a":1,"b":[1,2]}', '{ "b": [1, 2], "a": 1 }')).toBe(true);
    expect(sameSchema('{"b":[1,2]}', '{"b":[2,1]}')).toBe(false);
    expect(sameSchema('"string"', '"long"')).toBe(false);
  });
});
