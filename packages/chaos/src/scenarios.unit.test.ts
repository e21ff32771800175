import { describe, expect, it } from 'vitest';
import { boundSeconds, faultCount, SCENARIO_NAMES, scenario, selectScenarios } from './scenarios.ts';

describe('scenarios', () => {
  it('kills the handler 10 times in the full set and 3 times in the short one, each followed by a bounded wait', () => {
    const full = scenario('handler-kills', { short: false });
    const short = scenario('handler-kills', { short: true });
    expect(faultCount(full)).toBe(10);
    expect(faultCount(short)).toBe(3);
    for (const s of [full, short]) {
      const kinds = s.steps.map((st) => st.kind);
      for (const [i, k] of kinds.entries()) if (k === 'kill') expect(kinds[i + 1]).toBe('await-recovery');
    }
  });

  it('pauses PostgreSQL 10 s in the full set and 5 s in the short one', () => {
    const pause = (short: boolean) =>
      scenario('postgres-pause', { short }).steps.find((st) => st.kind === 'pause-postgres');
    expect(pause(false)).toEqual({ kind: 'pause-postgres', seconds: 10 });
    expect(pause(true)).toEqual({ kind: 'pause-postgres', seconds: 5 });
  });

  it('runs three handler instances in the group scenario, killing one and stopping another', () => {
    const s = scenario('handler-group', { short: false });
    expect(s.handlers).toBe(3);
    expect(s.steps.filter((st) => st.kind === 'kill')).toEqual([
      { kind: 'kill', service: 'command-handler', instance: 0, restart: false },
    ]);
    expect(s.steps.filter((st) => st.kind === 'stop')).toEqual([
      { kind: 'stop', service: 'command-handler', instance: 1 },
    ]);
  });

  it('measures the endpoint scenario from the clients, the others from the answers on Kafka', () => {
    for (const name of SCENARIO_NAMES)
      expect(scenario(name, { short: false }).recovery).toBe(
        name === 'endpoint-kill' ? 'clients' : 'answers',
      );
  });

  it('bounds every scenario in time, the short set within a CI budget', () => {
    for (const name of SCENARIO_NAMES)
      expect(boundSeconds(scenario(name, { short: false }))).toBeLessThan(900);
    const short = selectScenarios(undefined, { short: true });
    expect(short.map((s) => s.name)).toEqual(['handler-kills', 'postgres-pause']);
    // The waits for recovery are upper bounds; the load phases are what a passing run takes.
    const load = short.flatMap((s) => s.steps).reduce((t, st) => t + ('seconds' in st ? st.seconds : 0), 0);
    expect(load).toBeLessThanOrEqual(40);
  });

  it('selects named scenarios in the order given, the full set by default', () => {
    expect(
      selectScenarios(['registry-restart', 'handler-kills'], { short: false }).map((s) => s.name),
    ).toEqual(['registry-restart', 'handler-kills']);
    expect(selectScenarios(undefined, { short: false }).map((s) => s.name)).toEqual(
      SCENARIO_NAMES.filter((n) => n !== 'broker-loss'),
    );
    expect(selectScenarios(undefined, { short: false, brokers: 3 }).map((s) => s.name)).toEqual([
      ...SCENARIO_NAMES,
    ]);
  });

  it('loses one of three brokers for a while under load, requiring a real answer to every request', () => {
    const s = scenario('broker-loss', { short: false });
    expect(s.brokers).toBe(3);
    expect(s.realAnswers).toBe(true);
    expect(s.steps.find((st) => st.kind === 'lose-broker')).toEqual({
      kind: 'lose-broker',
      downSeconds: 20,
      syncTimeoutSeconds: 60,
    });
    // The kill and the return are each a row of the recovery list.
    expect(faultCount(s)).toBe(2);
  });
});
