import { randomUUID } from 'node:crypto';
import {
  DeadLetterHeader,
  producerDefaults,
  sendOptions,
  type Topology,
  topicIds,
} from '@open-bank/topology';
import type { IHeaders, Kafka } from 'kafkajs';
import { ResubmitRefusedError } from './errors.ts';
import { captureEnds, readTopics } from './read-topics.ts';

/** One message on a dead-letter topic. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Where it was read before it was set aside. */
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly errorCode: string;
  readonly error: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Set when `pnpm dlq resubmit` sent it back to its source topic. */
  readonly resubmitted: boolean;
}

/** A record the tool itself appended to a dead-letter topic, marking the dead letter at `offset` as re-submitted. */
interface Marker {
  readonly topic: string;
  readonly offset: string;
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

/** Every dead letter of the bank's topics, oldest first per topic, with whether it was re-submitted. */
export async function listDeadLetters(
  kafka: Kafka,
  topology: Topology,
  timeoutMs = 120_000,
): Promise<DeadLetter[]> {
  const topics = topicIds.map((id) => topology[id].deadLetter);
  const admin = kafka.admin();
  await admin.connect();
  let ends: Awaited<ReturnType<typeof captureEnds>>;
  try {
    ends = await captureEnds(admin, topics);
  } finally {
    await admin.disconnect();
  }
  const letters: Omit<DeadLetter, 'resubmitted'>[] = [];
  const markers: Marker[] = [];
  await readTopics(
    kafka,
    ends,
    topics,
    (topic, partition, batch) => {
      for (const m of batch) {
        const marked = header(m.headers, DeadLetterHeader.resubmitted);
        if (marked !== undefined) {
          markers.push({ topic, offset: marked });
          continue;
        }
        letters.push({
          topic,
          partition,
          offset: m.offset,
          source: {
            topic: header(m.headers, DeadLetterHeader.topic) ?? '?',
            partition: Number(header(m.headers, DeadLetterHeader.partition) ?? -1),
            offset: header(m.headers, DeadLetterHeader.offset) ?? '?',
          },
          errorCode: header(m.headers, DeadLetterHeader.errorCode) ?? '?',
          error: header(m.headers, DeadLetterHeader.error) ?? '',
          key: m.key,
          value: m.value,
        });
      }
    },
    timeoutMs,
  );
  return withMarkers(letters, markers);
}

/** Marks the dead letters that a marker record names as re-submitted. */
export function withMarkers(
  letters: readonly Omit<DeadLetter, 'resubmitted'>[],
  markers: readonly Marker[],
): DeadLetter[] {
  const done = new Set(markers.map((m) => `${m.topic}@${m.offset}`));
  return letters
    .map((l) => ({ ...l, resubmitted: done.has(`${l.topic}@${l.offset}`) }))
    .sort(
      (a, b) =>
        a.topic.localeCompare(b.topic) ||
        a.partition - b.partition ||
        Number(BigInt(a.offset) - BigInt(b.offset)),
    );
}

/**
 * The dead letter a `resubmit` names — by its place on the dead-letter topic, or by where it was read on its
 * source topic — or why it cannot be re-submitted: not there, from a topic not in the topology, or
 * re-submitted before (a message must not be handled twice because someone ran the command twice).
 */
export function chooseResubmit(
  letters: readonly DeadLetter[],
  topology: Topology,
  at: { topic: string; partition: number; offset: string },
): DeadLetter {
  const byDeadLetter = letters.find(
    (l) => l.topic === at.topic && l.partition === at.partition && l.offset === at.offset,
  );
  const bySource = letters.filter(
    (l) =>
      l.source.topic === at.topic && l.source.partition === at.partition && l.source.offset === at.offset,
  );
  const letter = byDeadLetter ?? bySource.find((l) => !l.resubmitted) ?? bySource[0];
  if (!letter) throw new ResubmitRefusedError(`no dead letter at ${at.topic} ${at.partition}@${at.offset}`);
  const source = topicIds.map((id) => topology[id]).find((t) => t.name === letter.source.topic);
  if (!source || source.deadLetter !== letter.topic)
    throw new ResubmitRefusedError(
      `${letter.topic} ${letter.partition}@${letter.offset} came from '${letter.source.topic}', which is not this dead-letter topic's source`,
    );
  if (letter.resubmitted)
    throw new ResubmitRefusedError(
      `${letter.topic} ${letter.partition}@${letter.offset} was re-submitted before; it is not sent twice`,
    );
  return letter;
}

/**
 * Sends a dead letter back to its source topic (same key and value, a header naming the dead letter) and marks
 * it re-submitted on the dead-letter topic, both in one Kafka transaction: either both happen or neither.
 * Answers the offset of the re-submitted message on the source topic.
 */
export async function resubmit(
  kafka: Kafka,
  letter: DeadLetter,
): Promise<{ partition: number; offset: string }> {
  const producer = kafka.producer({
    ...producerDefaults,
    transactionalId: `dlq-resubmit-${randomUUID()}`,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    try {
      const [sent] = await tx.send({
        ...sendOptions,
        topic: letter.source.topic,
        messages: [
          {
            key: letter.key,
            value: letter.value,
            headers: {
              [DeadLetterHeader.resubmittedFrom]: `${letter.topic}/${letter.partition}/${letter.offset}`,
            },
          },
        ],
      });
      await tx.send({
        ...sendOptions,
        topic: letter.topic,
        messages: [
          {
            key: null,
            value: null,
            partition: letter.partition,
            headers: { [DeadLetterHeader.resubmitted]: letter.offset },
          },
        ],
      });
      await tx.commit();
      return { partition: sent?.partition ?? -1, offset: sent?.baseOffset ?? '?' };
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
  } finally {
    await producer.disconnect();
  }
}

/** One line per dead letter, for `pnpm dlq`. */
export function formatDeadLetters(letters: readonly DeadLetter[]): string[] {
  if (letters.length === 0) return ['no dead letters'];
  const lines = letters.map(
    (l) =>
      `${l.topic} ${l.partition}@${l.offset}  from ${l.source.topic} ${l.source.partition}@${l.source.offset}  ${l.errorCode}: ${l.error}${l.resubmitted ? '  [re-submitted]' : ''}`,
  );
  const waiting = letters.filter((l) => !l.resubmitted).length;
  lines.push(`${letters.length} dead letters, ${waiting} not re-submitted`);
  return lines;
}
