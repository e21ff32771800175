-- balance.version counts the updates of a row. It tells the command handler in which order batches changed
-- an account, so their BalanceChanged events are published in that order even when several partitions are
-- handled at once: PostgreSQL releases a transaction's locks before its client has read the COMMIT answer.
ALTER TABLE balance ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- handled_batch offsets belong to one topic; name it, so a renamed or second transfer topic cannot mix them
-- up. Rows written before this column came from the default topic.
ALTER TABLE handled_batch ADD COLUMN src_topic text;
UPDATE handled_batch SET src_topic = 'confirm_money_transfer';
ALTER TABLE handled_batch ALTER COLUMN src_topic SET NOT NULL;
