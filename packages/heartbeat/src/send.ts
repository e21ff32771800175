import type { KafkaProducer, ProducerRecord } from '@open-bank/runtime';
import { type Codec, keyFor, type ResolvedTopic } from '@open-bank/topology';
import { SendFailedError } from './errors.ts';

/**
 * Beats per produce request. A client puts a request's messages for a partition into one record batch, and
 * the broker refuses batches over message.max.bytes (1 MiB by default); a beat takes about 45 bytes.
 */
export const MAX_BEATS_PER_REQUEST = 10_000;

/** The ticker's send: beats `first` to `first + count - 1`, in requests of at most MAX_BEATS_PER_REQUEST. */
export function beatSender(options: {
  producer: KafkaProducer;
  codec: Codec;
  topic: ResolvedTopic<'heartbeat'>;
  onSent: (beats: number) => void;
}): (first: number, count: number, now: Date) => Promise<void> {
  const { producer, codec, topic } = options;
  return async (first, count, now) => {
    // Every beat of one send carries the same key: the local date-time of sending.
    const key = keyFor(topic, { beat: BigInt(first) }, now);
    for (let start = first; start < first + count; start += MAX_BEATS_PER_REQUEST) {
      const end = Math.min(start + MAX_BEATS_PER_REQUEST, first + count);
      const messages: ProducerRecord[] = new Array(end - start);
      for (let beat = start; beat < end; beat++)
        messages[beat - start] = {
          topic: topic.name,
          key,
          value: codec.encode('heartbeat', { beat: BigInt(beat) }),
        };
      try {
        await producer.send(messages);
      } catch (e) {
        throw new SendFailedError(start - first, e);
      }
      options.onSent(end - start);
    }
  };
}
