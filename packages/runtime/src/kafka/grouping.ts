import type { ProducerRecord, TopicPartitionOffset } from './types.ts';

/** Groups items by topic, each group in the items' order, the groups in the order their topics first appear. */
function byTopic<T, U>(items: readonly T[], topicOf: (item: T) => string, entry: (item: T) => U) {
  const groups = new Map<string, U[]>();
  for (const item of items) {
    const topic = topicOf(item);
    let list = groups.get(topic);
    if (!list) {
      list = [];
      groups.set(topic, list);
    }
    list.push(entry(item));
  }
  return [...groups];
}

/** Records as the KafkaJS-style send APIs take them (kafkajs, and Confluent's compatible layer): per topic. */
export function toTopicMessages(records: readonly ProducerRecord[]) {
  return byTopic(
    records,
    (r) => r.topic,
    (r) => ({ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) }),
  ).map(([topic, messages]) => ({ topic, messages }));
}

/** Offsets as the KafkaJS-style `sendOffsets` takes them: per topic, its partitions' next offsets. */
export function offsetsByTopic(offsets: readonly TopicPartitionOffset[]) {
  return byTopic(
    offsets,
    (o) => o.topic,
    (o) => ({ partition: o.partition, offset: o.offset }),
  ).map(([topic, partitions]) => ({ topic, partitions }));
}
