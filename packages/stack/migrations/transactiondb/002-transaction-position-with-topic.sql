-- A balance change's place in Kafka includes the topic: the topic name can be overridden (KAFKA_BC_TOPIC),
-- and the same partition and offset on another topic is another message, which must not be skipped as a
-- re-delivery. Rows stored before were read from the default topic.
ALTER TABLE transaction ADD COLUMN kafka_topic text NOT NULL DEFAULT 'balance_changed';
ALTER TABLE transaction ALTER COLUMN kafka_topic DROP DEFAULT;
ALTER TABLE transaction DROP CONSTRAINT transaction_kafka_position;
ALTER TABLE transaction
  ADD CONSTRAINT transaction_kafka_position UNIQUE (kafka_topic, kafka_partition, kafka_offset);
