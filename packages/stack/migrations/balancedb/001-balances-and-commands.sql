-- The command handler's state: balances, and every handled command with the answer it got, so a command
-- id is decided once and a repeat or re-delivery is answered the same way.

-- Balances change by relative updates only (amount = amount + delta) on rows locked in IBAN order. The
-- check makes the database refuse anything that would break the limit, whatever the code does. Room on
-- each page keeps the frequent updates HOT (no index entry per update).
CREATE TABLE balance (
  iban   text   PRIMARY KEY,
  token  text   NOT NULL,
  amount bigint NOT NULL,
  lmt    bigint NOT NULL,
  CONSTRAINT balance_within_limit CHECK (amount >= lmt)
) WITH (fillfactor = 70);

-- The bank's own account (SPEC §3).
INSERT INTO balance (iban, token, amount, lmt)
VALUES ('NL66OPEN0000000000', '00000000000000000000', 100000000000000000, -50000);

-- An account creation's answer: the opened account, or the failure reason.
CREATE TABLE account_command (
  id     uuid PRIMARY KEY,
  iban   text,
  token  text,
  a_type text CHECK (a_type IN ('AUTO', 'MANUAL')),
  reason text,
  CONSTRAINT account_command_answer CHECK (
    (reason IS NULL AND iban IS NOT NULL AND token IS NOT NULL AND a_type IS NOT NULL)
    OR (reason IS NOT NULL AND iban IS NULL AND token IS NULL AND a_type IS NULL))
);

-- A transfer's answer: the failure reason (NULL when confirmed) and the exact BalanceChanged events it
-- produced, as a JSON array with amounts as strings. `json`, not `jsonb`: jsonb refuses \u0000, which a
-- description may hold. src_partition/src_offset name the message that decided it, so a re-delivery of
-- that very message (database committed, answer never published) is told apart from a repeated id.
CREATE TABLE transfer_command (
  id            uuid   PRIMARY KEY,
  reason        text,
  events        json,
  src_partition int    NOT NULL,
  src_offset    bigint NOT NULL
);

-- Batches whose events may not be published yet: written in the batch's transaction, used at start to
-- publish what a crashed run left behind in commit order (seq, taken after the batch's locks), deleted once
-- the consumer group's committed offset has passed last_offset.
CREATE TABLE handled_batch (
  seq           bigserial PRIMARY KEY,
  instance      text      NOT NULL,
  src_partition int       NOT NULL,
  last_offset   bigint    NOT NULL,
  command_ids   uuid[]    NOT NULL
);
CREATE INDEX handled_batch_instance ON handled_batch (instance, seq);
