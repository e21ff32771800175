import { TRACE_HEADER } from '@open-bank/contract';
import { type Batch, nowMicros, type Outgoing } from '@open-bank/runtime';
import type { AccountCreationConfirmed, Codec, TopicId } from '@open-bank/topology';
import type { Command, CommandGenerator } from './generate.ts';

export type Consumed = 'heartbeat' | 'accountCreationConfirmed';
export const CONSUMED: readonly Consumed[] = ['heartbeat', 'accountCreationConfirmed'];
export const PRODUCED: readonly TopicId[] = ['confirmAccountCreation', 'confirmMoneyTransfer'];

/** Builds an outgoing record of a topic; the service passes the codec. */
export type Encode = Pick<Codec, 'record'>;

export function toOutgoing(
  commands: readonly Command[],
  encode: Encode,
  now: Date,
  /** Start of the commands' traces, µs since the epoch; none when undefined. */
  origin?: number,
): Outgoing[] {
  const headers = () => (origin === undefined ? undefined : { [TRACE_HEADER]: String(origin) });
  return commands.map((c) => ({
    ...(c.topic === 'confirmAccountCreation'
      ? encode.record('confirmAccountCreation', c.value, now)
      : encode.record('confirmMoneyTransfer', c.value, now)),
    headers: headers(),
  }));
}

/**
 * The ConsumerLoop handler: a whole batch of beats, or of confirmed accounts, becomes one batch of commands
 * that the loop publishes in one send before committing the batch's offsets.
 */
export function createHandler(options: {
  generator: CommandGenerator;
  encode: Encode;
  clock: () => Date;
  onCommands?: (commands: readonly Command[]) => void;
}): (batch: Batch<Consumed>) => Promise<Outgoing[]> {
  const { generator, encode, clock, onCommands } = options;
  return async (batch) => {
    const now = clock();
    const commands =
      batch.topic === 'heartbeat'
        ? generator.forBeats(
            batch.messages.map((m) => m.value.beat),
            now,
          )
        : generator.forConfirmedAccounts(
            batch.messages.map((m) => m.value as AccountCreationConfirmed),
            now,
          );
    onCommands?.(commands);
    return toOutgoing(commands, encode, now, nowMicros());
  };
}
