// Reads the bank's commands, answers and BalanceChanged events as they come (read committed, as the
// services read) and feeds them to the tally with their Kafka timestamps, so its figures do not depend on
// how far behind this reader is.
import { randomUUID } from 'node:crypto';
import type { Codec, TopicId, Topology } from '@open-bank/topology';
import type { Kafka } from 'kafkajs';
import type { Tally } from './tally.ts';

const COMMANDS: readonly TopicId[] = ['confirmAccountCreation', 'confirmMoneyTransfer'];
const ANSWERS: readonly TopicId[] = [
  'accountCreationConfirmed',
  'accountCreationFailed',
  'moneyTransferConfirmed',
  'moneyTransferFailed',
];

export interface Observer {
  stop(): Promise<void>;
}

export async function startObserver(
  kafka: Kafka,
  topology: Topology,
  codec: Codec,
  tally: Tally,
  log: (line: string) => void,
): Promise<Observer> {
  const role = new Map<string, 'command' | 'answer' | 'event'>();
  for (const id of COMMANDS) role.set(topology[id].name, 'command');
  for (const id of ANSWERS) role.set(topology[id].name, 'answer');
  role.set(topology.balanceChanged.name, 'event');
  const consumer = kafka.consumer({
    groupId: `chaos-observer-${randomUUID()}`,
    maxWaitTimeInMs: 200,
    // Never commits: a restarted observer would read from the start again anyway.
    retry: { retries: 1_000, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
  consumer.on(consumer.events.CRASH, (e) =>
    log(`observer: consumer crashed (${e.payload.error.message}), restarting`),
  );
  await consumer.connect();
  await consumer.subscribe({ topics: [...role.keys()], fromBeginning: true });
  // A consumer that crashed and restarted (e.g. while the broker was away) has no committed offsets and
  // reads from the start again: what was seen once must not count twice.
  const next = new Map<string, bigint>();
  const fresh = <M extends { offset: string }>(topic: string, partition: number, messages: M[]): M[] => {
    const key = `${topic}:${partition}`;
    const from = next.get(key) ?? -1n;
    return messages.filter((m) => BigInt(m.offset) >= from);
  };
  // Only once a batch is through: one that failed halfway comes again and must then count.
  const done = (topic: string, partition: number, messages: readonly { offset: string }[]) => {
    const last = messages.at(-1);
    if (last) next.set(`${topic}:${partition}`, BigInt(last.offset) + 1n);
  };
  let joined: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    joined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const kind = role.get(batch.topic);
      const messages = fresh(batch.topic, batch.partition, batch.messages);
      if (kind === 'event') {
        const decoded = await codec.decodeAll(
          'balanceChanged',
          messages.map((m) => m.value),
        );
        for (const [i, d] of decoded.entries()) {
          const m = messages[i];
          if (!d.ok || !m) continue;
          tally.balanceChanged(
            {
              iban: d.value.iban,
              newBalance: d.value.new_balance,
              changedBy: d.value.changed_by,
              fromTo: d.value.from_to,
              description: d.value.description,
            },
            Number(m.timestamp),
          );
        }
        done(batch.topic, batch.partition, messages);
        return;
      }
      for (const m of messages) {
        const id = m.key?.toString('utf8');
        if (!id) continue;
        if (kind === 'command') tally.command(id, Number(m.timestamp));
        else tally.answer(id, Number(m.timestamp), `${batch.topic}:${m.value?.toString('base64') ?? ''}`);
      }
      done(batch.topic, batch.partition, messages);
    },
  });
  await ready;
  return {
    stop: () => consumer.disconnect(),
  };
}
