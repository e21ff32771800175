// Reads the bank's commands, answers and BalanceChanged events as they come (read committed, as the
// services read) and feeds them to the tally with their Kafka timestamps, so its figures do not depend on
// how far behind this reader is.
import { randomUUID } from 'node:crypto';
import { deadline, TRACE_HEADER } from '@open-bank/contract';
import { parseTrace } from '@open-bank/runtime';
import type { Codec, TopicId, Topology } from '@open-bank/topology';
import type { Consumer, Kafka } from 'kafkajs';
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

  const start = async (): Promise<Consumer> => {
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
          else
            tally.answer(
              id,
              Number(m.timestamp),
              `${batch.topic}:${m.value?.toString('base64') ?? ''}`,
              parseTrace(m.headers?.[TRACE_HEADER]?.toString()),
            );
        }
        done(batch.topic, batch.partition, messages);
      },
    });
    await ready;
    return consumer;
  };

  let consumer = await start();
  const admin = kafka.admin();
  await admin.connect();
  const watch = new Map<string, Watch>();
  let checking = false;
  let checkFailing = false;
  let stopped = false;
  // kafkajs's consumer has been seen to stand still for good after a broker loss (its group coordinator
  // looked up again, then nothing), while the bank went on: the scenario then counted every later answer
  // as missing. When a partition holds records the observer has not read, and its position has not moved
  // for STALL_MS while records kept coming, the consumer is replaced (it reads from the start again).
  const check = async () => {
    if (checking || stopped) return;
    checking = true;
    try {
      const ends = await withTimeout(
        Promise.all(
          [...role.keys()].map(async (topic) => ({ topic, ends: await admin.fetchTopicOffsets(topic) })),
        ),
        5_000,
      );
      if (!ends) return;
      checkFailing = false;
      const now = Date.now();
      const stalled: string[] = [];
      for (const { topic, ends: parts } of ends) {
        for (const p of parts) {
          const key = `${topic}:${p.partition}`;
          const position = next.get(key) ?? 0n;
          const end = BigInt(p.high);
          const w = watch.get(key);
          if (!w || w.position !== position || w.end === end) {
            watch.set(key, { position, end, since: now });
            continue;
          }
          // A commit marker follows the last record of each transaction: one offset behind is read.
          if (end - position >= 2n && now - w.since >= STALL_MS) stalled.push(key);
        }
      }
      if (stalled.length === 0 || stopped) return;
      log(
        `observer: no progress for ${STALL_MS / 1000} s on ${stalled.slice(0, 3).join(', ')} while records came; restarting its consumer`,
      );
      const old = consumer;
      await withTimeout(
        old.disconnect().catch(() => undefined),
        5_000,
      );
      consumer = await start();
      watch.clear();
    } catch (e) {
      // Once per streak: while a broker is away every check fails alike.
      if (!checkFailing) log(`observer: watchdog check failed (${(e as Error).message}); trying again`);
      checkFailing = true;
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), CHECK_MS);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await admin.disconnect().catch(() => undefined);
      await consumer.disconnect();
    },
  };
}

/** What the watchdog last saw of a partition: the observer's position, the end, since when unchanged. */
interface Watch {
  readonly position: bigint;
  readonly end: bigint;
  readonly since: number;
}

const CHECK_MS = 2_000;
const STALL_MS = 8_000;

/** `work`'s value, or undefined when it takes longer than `ms` (it goes on; its outcome is ignored). */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return deadline(work, ms, () => undefined);
}
