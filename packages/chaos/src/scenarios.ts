// The fault scenarios as data: the runner interprets the steps, so what a scenario does and how long it may
// take can be checked without a stack.

export const SCENARIO_NAMES = [
  'handler-kills',
  'handler-group',
  'postgres-pause',
  'broker-restart',
  'endpoint-kill',
  'registry-restart',
  'broker-loss',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export type Service = 'command-handler' | 'graphql-endpoint';

export type Step =
  /** Keep the load running. */
  | { readonly kind: 'load'; readonly seconds: number }
  /**
   * Keep the load running until the bank keeps up with it (every command sent over a second ago is
   * answered), at most `maxSeconds`: a fault then meets a bank in its steady state, not the backlog of a
   * cold start, whose wait would be counted against the fault.
   */
  | { readonly kind: 'caught-up'; readonly maxSeconds: number }
  /** SIGKILL one instance; `restart` starts it again at once under the same name. */
  | { readonly kind: 'kill'; readonly service: Service; readonly instance: number; readonly restart: boolean }
  /** SIGTERM one instance and wait for it to end; it stays down. */
  | { readonly kind: 'stop'; readonly service: Service; readonly instance: number }
  /** SIGSTOP every PostgreSQL process for `seconds`, then SIGCONT. */
  | { readonly kind: 'pause-postgres'; readonly seconds: number }
  /** Stop broker `node` (SIGTERM, SIGKILL after a grace period) and start it again. */
  | { readonly kind: 'restart-broker'; readonly node: number }
  | { readonly kind: 'restart-registry' }
  /**
   * SIGKILL one broker of three (the relay's transaction coordinator, see broker.ts), keep it down
   * `downSeconds` under load, start it again and wait until no partition is under-replicated, at most
   * `syncTimeoutSeconds`.
   */
  | {
      readonly kind: 'lose-broker';
      readonly downSeconds: number;
      readonly syncTimeoutSeconds: number;
    }
  /**
   * Wait (with the load running) for the first answer after the last fault ended, at most `timeoutSeconds`:
   * that answer is the scenario's recovery.
   */
  | { readonly kind: 'await-recovery'; readonly timeoutSeconds: number };

/** Where a scenario's recovery shows: answers on Kafka, or answers the GraphQL clients get. */
export type RecoverySource = 'answers' | 'clients';

export interface Scenario {
  readonly name: ScenarioName;
  readonly title: string;
  /** Command-handler instances the scenario starts with. */
  readonly handlers: number;
  readonly recovery: RecoverySource;
  readonly steps: readonly Step[];
  /** Kafka nodes the scenario needs (default any). */
  readonly brokers?: 3;
  /**
   * Every GraphQL request must get the command handler's own answer: an attempt that timed out, at the
   * client or as the endpoint's time-out answer, fails the scenario.
   */
  readonly realAnswers?: true;
}

export interface ScenarioOptions {
  /** The short set for CI: fewer faults, shorter pauses. */
  readonly short: boolean;
  /** Kafka nodes of the run (default 1): the default set leaves out what needs more. */
  readonly brokers?: 1 | 3;
}

const RECOVERY_TIMEOUT_S = 60;

function handlerKills({ short }: ScenarioOptions): Scenario {
  const kills = short ? 3 : 10;
  const steps: Step[] = [{ kind: 'load', seconds: 5 }];
  for (let i = 0; i < kills; i++) {
    steps.push(
      { kind: 'kill', service: 'command-handler', instance: 0, restart: true },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: 3 },
    );
  }
  return {
    name: 'handler-kills',
    title: `command handler SIGKILLed ${kills}× and restarted, a few seconds apart`,
    handlers: 1,
    recovery: 'answers',
    steps,
  };
}

function handlerGroup(): Scenario {
  return {
    name: 'handler-group',
    title: 'three command-handler instances: one SIGKILLed mid-load, one stopped gracefully',
    handlers: 3,
    recovery: 'answers',
    steps: [
      { kind: 'load', seconds: 8 },
      { kind: 'kill', service: 'command-handler', instance: 0, restart: false },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: 12 },
      { kind: 'stop', service: 'command-handler', instance: 1 },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: 12 },
    ],
  };
}

function postgresPause({ short }: ScenarioOptions): Scenario {
  const seconds = short ? 5 : 10;
  return {
    name: 'postgres-pause',
    title: `PostgreSQL paused (SIGSTOP) for ${seconds} s, then SIGCONT`,
    handlers: 1,
    recovery: 'answers',
    steps: [
      { kind: 'load', seconds: 5 },
      { kind: 'pause-postgres', seconds },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: short ? 5 : 10 },
    ],
  };
}

function brokerRestart(): Scenario {
  return {
    name: 'broker-restart',
    title: 'the Kafka broker stopped and started again',
    handlers: 1,
    recovery: 'answers',
    steps: [
      { kind: 'load', seconds: 8 },
      { kind: 'restart-broker', node: 1 },
      { kind: 'await-recovery', timeoutSeconds: 90 },
      { kind: 'load', seconds: 10 },
    ],
  };
}

function endpointKill(): Scenario {
  return {
    name: 'endpoint-kill',
    title: 'GraphQL endpoint SIGKILLed with requests in flight; clients retry with the same uuid',
    handlers: 1,
    recovery: 'clients',
    steps: [
      { kind: 'load', seconds: 8 },
      { kind: 'kill', service: 'graphql-endpoint', instance: 0, restart: true },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: 5 },
      { kind: 'kill', service: 'graphql-endpoint', instance: 0, restart: true },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: 8 },
    ],
  };
}

function registryRestart(): Scenario {
  return {
    name: 'registry-restart',
    title: 'the schema registry stopped and started again',
    handlers: 1,
    recovery: 'answers',
    steps: [
      { kind: 'load', seconds: 8 },
      { kind: 'restart-registry' },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: 10 },
    ],
  };
}

function brokerLoss({ short }: ScenarioOptions): Scenario {
  const down = short ? 15 : 20;
  return {
    name: 'broker-loss',
    title: `one of three brokers SIGKILLed and left down ${down} s under load, then started again until in sync`,
    handlers: 1,
    recovery: 'answers',
    brokers: 3,
    realAnswers: true,
    steps: [
      { kind: 'load', seconds: short ? 5 : 8 },
      { kind: 'caught-up', maxSeconds: 60 },
      { kind: 'lose-broker', downSeconds: down, syncTimeoutSeconds: 60 },
      { kind: 'await-recovery', timeoutSeconds: RECOVERY_TIMEOUT_S },
      { kind: 'load', seconds: short ? 5 : 10 },
    ],
  };
}

export function scenario(name: ScenarioName, options: ScenarioOptions): Scenario {
  switch (name) {
    case 'handler-kills':
      return handlerKills(options);
    case 'handler-group':
      return handlerGroup();
    case 'postgres-pause':
      return postgresPause(options);
    case 'broker-restart':
      return brokerRestart();
    case 'endpoint-kill':
      return endpointKill();
    case 'registry-restart':
      return registryRestart();
    case 'broker-loss':
      return brokerLoss(options);
  }
}

/** The short set fits a CI run: the handler crash loop and the database pause, both shortened. */
export const SHORT_SET: readonly ScenarioName[] = ['handler-kills', 'postgres-pause'];

export function selectScenarios(
  names: readonly ScenarioName[] | undefined,
  options: ScenarioOptions,
): Scenario[] {
  const chosen = names ?? (options.short ? SHORT_SET : SCENARIO_NAMES);
  const all = chosen.map((n) => scenario(n, options));
  // Named ones are checked by the options; the default set runs what the cluster can.
  return names ? all : all.filter((s) => (s.brokers ?? 1) <= (options.brokers ?? 1));
}

/**
 * Upper bound of a scenario's fault phase in seconds, not counting how long a stop, a start or a restart
 * takes: every wait in it is bounded.
 */
export function boundSeconds(s: Scenario): number {
  let total = 0;
  for (const step of s.steps) {
    if (step.kind === 'load' || step.kind === 'pause-postgres') total += step.seconds;
    else if (step.kind === 'lose-broker') total += step.downSeconds + step.syncTimeoutSeconds;
    else if (step.kind === 'await-recovery') total += step.timeoutSeconds;
  }
  return total;
}

/** How many faults a scenario injects (each one a row of the recovery list). */
export function faultCount(s: Scenario): number {
  // Losing a broker is two rows: the kill (the bank must answer while it is down) and its return.
  return s.steps.reduce(
    (n, st) =>
      n +
      (st.kind === 'load' || st.kind === 'caught-up' || st.kind === 'await-recovery'
        ? 0
        : st.kind === 'lose-broker'
          ? 2
          : 1),
    0,
  );
}
