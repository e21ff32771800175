import { randomInt, randomUUID } from 'node:crypto';

/** The generator's only source of chance, injected so tests can script every draw. */
export interface Random {
  /** A uniformly random whole number from 0 to `maxExclusive - 1`. */
  int(maxExclusive: number): number;
  /** A random UUID in its 36-character text form. */
  uuid(): string;
}

export const secureRandom: Random = {
  int: (maxExclusive) => randomInt(maxExclusive),
  uuid: () => randomUUID(),
};
