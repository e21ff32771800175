-- Everything the command handler publishes (answers and BalanceChanged events) is written here, encoded, in
-- the very transaction that decided it, and one relay at a time publishes it in seq order. An IBAN's rows are
-- inserted while its balance row is locked, so their seq order is the order its balance changed, whichever
-- instance or partition decided them: the topic replays. The relay records in Kafka, in the transaction that
-- publishes a round of rows, which rows they were, and deletes them before its next round; a relay taking
-- over after a crash deletes the rows the last committed round names, so each row is published once.
CREATE TABLE outbox (
  seq   bigserial PRIMARY KEY,
  topic text  NOT NULL,
  key   text,
  value bytea NOT NULL,
  trace text
);

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
