import { DEAD_LETTER_SUFFIX, schemaText, type TopicPlan } from '@open-bank/topology';

/** A topic as the cluster holds it now. */
export interface CurrentTopic {
  readonly name: string;
  readonly partitions: number;
  /** Replicas of the topic's partitions (the largest count, should they differ). */
  readonly replicationFactor: number;
  /** Effective values of the topic's configs, whatever their source (topic override or broker default). */
  readonly configs: Readonly<Record<string, string>>;
  /**
   * Configs set on the topic itself. Kept apart because altering topic configs replaces the whole set of
   * overrides: an alter must carry these over or it would silently reset them.
   */
  readonly overrides: Readonly<Record<string, string>>;
}

export interface SubjectState {
  /** Text of the latest version. */
  readonly latest: string;
  readonly latestVersion: number;
  /**
   * Version under which the topology's schema is registered when it is not the latest. Registering it again
   * would only answer its id and add no version, so that drift cannot be fixed by registering.
   */
  readonly ourVersion?: number;
}

export interface ClusterState {
  readonly liveBrokers: number;
  readonly topics: readonly CurrentTopic[];
  /** Registered subjects of the topology; a subject that is not registered is absent. */
  readonly subjects: Readonly<Record<string, SubjectState>>;
}

export interface PlanOptions {
  /** Delete topics that are not in the topology (internal and dead-letter topics never are). Default true. */
  readonly deleteUnknown?: boolean;
  /**
   * Narrows which unknown topics may be deleted, for a cluster shared with others (such as the test stack,
   * where other test runs keep scratch topics). Unknown topics it refuses are kept and listed. Default: all.
   */
  readonly deletable?: (topic: string) => boolean;
}

export interface ConfigChange {
  readonly name: string;
  /** Undefined when the topic does not report the config at all. */
  readonly from: string | undefined;
  readonly to: string;
}

export type Action =
  | {
      readonly kind: 'create-topic';
      readonly topic: string;
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly requestedReplicationFactor: number;
      readonly configs: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'add-partitions'; readonly topic: string; readonly from: number; readonly to: number }
  | {
      readonly kind: 'alter-configs';
      readonly topic: string;
      readonly changes: readonly ConfigChange[];
      /** The complete set of topic overrides to write: the current ones with the changes applied. */
      readonly overrides: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'register-schema';
      readonly subject: string;
      readonly topic: string;
      readonly schema: string;
      readonly reason: 'missing' | 'differs';
    }
  | { readonly kind: 'delete-topic'; readonly topic: string; readonly partitions: number };

/** Drift Kafka cannot repair, reported so an operator can decide. */
export type Finding =
  | {
      readonly kind: 'too-many-partitions';
      readonly topic: string;
      readonly actual: number;
      readonly desired: number;
    }
  | {
      readonly kind: 'replication-differs';
      readonly topic: string;
      readonly actual: number;
      readonly expected: number;
      readonly requested: number;
      readonly liveBrokers: number;
    }
  | {
      readonly kind: 'schema-not-latest';
      readonly subject: string;
      readonly latestVersion: number;
      readonly ourVersion: number;
    };

export interface Plan {
  /** What will be changed, in execution order. Empty means the cluster is in sync. */
  readonly actions: readonly Action[];
  readonly findings: readonly Finding[];
  /** Topics not in the topology that are left alone because deletion was turned off or narrowed. */
  readonly keptUnknown: readonly string[];
}

const ACTION_ORDER: Record<Action['kind'], number> = {
  'create-topic': 0,
  'add-partitions': 1,
  'alter-configs': 2,
  'register-schema': 3,
  'delete-topic': 4,
};

/** Names starting with `_` belong to Kafka or to tools next to it (`__consumer_offsets`, `_schemas`). */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('_');
}

export function effectiveReplication(requested: number, liveBrokers: number): number {
  return Math.max(1, Math.min(requested, liveBrokers));
}

/**
 * Compares by parsed structure, so a registry that stores the same schema with other whitespace or key order
 * does not look like drift (registering it again would add no version, and the plan would never empty).
 */
export function sameSchema(a: string, b: string): boolean {
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return a === b;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What to do so that the cluster and registry match the desired topics. Pure: no I/O. */
export function planSync(
  desired: readonly TopicPlan[],
  state: ClusterState,
  options: PlanOptions = {},
): Plan {
  const deleteUnknown = options.deleteUnknown ?? true;
  const current = new Map(state.topics.map((t) => [t.name, t]));
  const actions: Action[] = [];
  const findings: Finding[] = [];

  for (const want of desired) {
    const expectedReplication = effectiveReplication(want.replicationFactor, state.liveBrokers);
    const have = current.get(want.name);
    if (!have) {
      actions.push({
        kind: 'create-topic',
        topic: want.name,
        partitions: want.partitions,
        replicationFactor: expectedReplication,
        requestedReplicationFactor: want.replicationFactor,
        configs: want.configs,
      });
    } else {
      if (have.partitions < want.partitions) {
        actions.push({
          kind: 'add-partitions',
          topic: want.name,
          from: have.partitions,
          to: want.partitions,
        });
      } else if (have.partitions > want.partitions) {
        findings.push({
          kind: 'too-many-partitions',
          topic: want.name,
          actual: have.partitions,
          desired: want.partitions,
        });
      }
      const changes = Object.entries(want.configs)
        .filter(([name, value]) => have.configs[name] !== value)
        .map(([name, to]) => ({ name, from: have.configs[name], to }));
      if (changes.length > 0) {
        actions.push({
          kind: 'alter-configs',
          topic: want.name,
          changes,
          overrides: { ...have.overrides, ...want.configs },
        });
      }
      if (have.replicationFactor !== expectedReplication) {
        findings.push({
          kind: 'replication-differs',
          topic: want.name,
          actual: have.replicationFactor,
          expected: expectedReplication,
          requested: want.replicationFactor,
          liveBrokers: state.liveBrokers,
        });
      }
    }
    if (want.subject !== undefined && want.schema !== undefined) {
      const text = schemaText(want.schema);
      const registered = state.subjects[want.subject];
      if (
        registered !== undefined &&
        !sameSchema(registered.latest, text) &&
        registered.ourVersion !== undefined
      ) {
        findings.push({
          kind: 'schema-not-latest',
          subject: want.subject,
          latestVersion: registered.latestVersion,
          ourVersion: registered.ourVersion,
        });
      } else if (registered === undefined || !sameSchema(registered.latest, text)) {
        actions.push({
          kind: 'register-schema',
          subject: want.subject,
          topic: want.name,
          schema: text,
          reason: registered === undefined ? 'missing' : 'differs',
        });
      }
    }
  }

  const keep = new Set(desired.map((t) => t.name));
  // Dead-letter topics hold the messages nobody could read: never lose them, even if a caller's list omits them.
  for (const t of desired) if (t.subject !== undefined) keep.add(`${t.name}${DEAD_LETTER_SUFFIX}`);
  const unknown = state.topics
    .filter((t) => !keep.has(t.name) && !isInternalTopic(t.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const deletable = options.deletable ?? (() => true);
  const doomed = deleteUnknown ? unknown.filter((t) => deletable(t.name)) : [];
  for (const t of doomed) actions.push({ kind: 'delete-topic', topic: t.name, partitions: t.partitions });

  // A stable sort keeps the topology's topic order within each kind.
  actions.sort((a, b) => ACTION_ORDER[a.kind] - ACTION_ORDER[b.kind]);
  return { actions, findings, keptUnknown: unknown.filter((t) => !doomed.includes(t)).map((t) => t.name) };
}

export function isInSync(plan: Plan): boolean {
  return plan.actions.length === 0;
}
