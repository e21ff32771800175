-- Everything the command handler publishes (answers and BalanceChanged events) is written here, encoded, in
-- the very transaction that decided it, and one relay at a time publishes it in seq order. An IBAN's rows are
-- inserted while its balance row is locked, so their seq order is the order its balance changed, whichever
-- instance or partition decided them: the topic replays. `batch` marks the rows a relay has claimed; the
-- relay records in Kafka, in the transaction that publishes a batch, that it did, so a relay taking over
-- after a crash deletes what was published and publishes the rest, each row exactly once.
CREATE TABLE outbox (
  seq   bigserial PRIMARY KEY,
  topic text  NOT NULL,
  key   text,
  value bytea NOT NULL,
  trace text,
  batch bigint
);
CREATE INDEX outbox_batch ON outbox (batch) WHERE batch IS NOT NULL;

-- The next offset to handle per command topic partition, advanced in each batch's transaction. A batch
-- skips what lies below it, so a re-delivery changes nothing, and an instance that lost a partition in a
-- rebalance (a zombie) cannot handle a command its successor has handled: the row lock orders them.
CREATE TABLE consumed (
  topic       text   NOT NULL,
  partition   int    NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (topic, partition)
);

-- The outbox replaces the start-up recovery of batches committed but not published.
DROP TABLE handled_batch;
