import { TRACE_HEADER } from '@open-bank/contract';
import { type Batch, nowMicros, type Outgoing } from '@open-bank/runtime';
import {
  type AccountCreationConfirmed,
  keyFor,
  type RecordOf,
  type TopicId,
  type Topology,
} from '@open-bank/topology';
import type { Command, CommandGenerator } from './generate.ts';

export type Consumed = 'heartbeat' | 'accountCreationConfirmed';
export const CONSUMED: readonly Consumed[] = ['heartbeat', 'accountCreationConfirmed'];
export const PRODUCED: readonly TopicId[] = ['confirmAccountCreation', 'confirmMoneyTransfer'];

/** Encodes a record for a topic; the service passes `codec.encode`. */
export type Encode = <T extends TopicId>(topic: T, value: RecordOf<T>) => Buffer;

export function toOutgoing(
  commands: readonly Command[],
  topology: Topology,
  encode: Encode,
  now: Date,
  /** Start of the commands' traces, µs since the epoch; none when undefined. */
  origin?: number,
): Outgoing[] {
  const headers = () => (origin === undefined ? undefined : { [TRACE_HEADER]: String(origin) });
  return commands.map((c) =>
    c.topic === 'confirmAccountCreation'
      ? {
          topic: topology.confirmAccountCreation.name,
          key: keyFor(topology.confirmAccountCreation, c.value, now),
          value: encode('confirmAccountCreation', c.value),
          headers: headers(),
        }
      : {
          topic: topology.confirmMoneyTransfer.name,
          key: keyFor(topology.confirmMoneyTransfer, c.value, now),
          value: encode('confirmMoneyTransfer', c.value),
          headers: headers(),
        },
  );
}

/**
 * The ConsumerLoop handler: a whole batch of beats, or of confirmed accounts, becomes one batch of commands
 * that the loop publishes in one send before committing the batch's offsets.
 */
export function createHandler(options: {
  generator: CommandGenerator;
  topology: Topology;
  encode: Encode;
  clock: () => Date;
  onCommands?: (commands: readonly Command[]) => void;
}): (batch: Batch<Consumed>) => Promise<Outgoing[]> {
  const { generator, topology, encode, clock, onCommands } = options;
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
    return toOutgoing(commands, topology, encode, now, nowMicros());
  };
}
