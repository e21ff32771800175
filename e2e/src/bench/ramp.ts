/**
 * How the background load rises during a run (SPEC §5): every `cycleLoops` loops the heartbeat rate goes up
 * by `stepPerSecond` messages/s. The heartbeat sends `batchSize` beats every `intervalMs`, so a load is
 * realised as the batch size that, at that interval, comes nearest to it.
 */
export interface RampOptions {
  /** Additional messages/s added at every step. */
  readonly stepPerSecond: number;
  /** Loops between two steps. */
  readonly cycleLoops: number;
  /** The heartbeat's tick; loads are whole beats per tick. */
  readonly intervalMs: number;
}

/** Additional load (messages/s) in force during loop `loop` (counting from 1): 0 for the first cycle. */
export function loadAt(loop: number, ramp: RampOptions): number {
  if (loop < 1) return 0;
  return Math.floor((loop - 1) / ramp.cycleLoops) * ramp.stepPerSecond;
}

/** Beats per tick that give `load` messages/s. */
export function batchSizeFor(load: number, intervalMs: number): number {
  return Math.max(0, Math.round((load * intervalMs) / 1000));
}

/** The load a batch size actually gives, which is what a row records. */
export function loadOf(batchSize: number, intervalMs: number): number {
  return (batchSize * 1000) / intervalMs;
}

/** Problems with a ramp, for an option parser to report all at once. */
export function rampProblems(ramp: RampOptions): string[] {
  const problems: string[] = [];
  if (!(ramp.cycleLoops >= 1 && Number.isInteger(ramp.cycleLoops)))
    problems.push('cycle must be a whole number ≥ 1');
  if (!(ramp.intervalMs >= 1)) problems.push('interval must be ≥ 1 ms');
  const perTick = (ramp.stepPerSecond * ramp.intervalMs) / 1000;
  if (!(perTick >= 1 && Number.isInteger(perTick))) {
    problems.push(
      `step ${ramp.stepPerSecond}/s must be a whole number of beats per ${ramp.intervalMs} ms tick (a multiple of ${1000 / ramp.intervalMs}/s)`,
    );
  }
  return problems;
}
