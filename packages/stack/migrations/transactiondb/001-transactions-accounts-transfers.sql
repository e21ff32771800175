-- What the GraphQL endpoint keeps. Runs as graphql_endpoint on transactiondb, in one transaction.

-- Every balance change, as consumed from balance_changed. Amounts in cents: bigint, exact past 2^53.
CREATE TABLE transaction (
  id serial PRIMARY KEY,
  iban text NOT NULL,
  new_balance bigint NOT NULL,
  changed_by bigint NOT NULL,
  from_to text NOT NULL,
  description text NOT NULL,
  -- The broker timestamp of the balance_changed message.
  created_at timestamptz NOT NULL,
  -- Where the message sat in Kafka: a re-delivered message meets its own row and adds none. (The values
  -- cannot serve: two transfers of the same amount can leave the same balance behind.)
  kafka_partition integer NOT NULL,
  kafka_offset bigint NOT NULL,
  CONSTRAINT transaction_kafka_position UNIQUE (kafka_partition, kafka_offset)
);

-- transactions_by_iban (newest first) and all_last_transactions (a skip scan over the ibans).
CREATE INDEX transaction_iban_id ON transaction (iban, id DESC);

-- Users of the frontend. The password is kept as a salted scrypt hash only. command_id is the id of the
-- ConfirmAccountCreation sent for the user, re-sent until iban and token are known.
CREATE TABLE account (
  username text PRIMARY KEY,
  password_hash bytea NOT NULL,
  salt bytea NOT NULL,
  command_id uuid NOT NULL UNIQUE,
  iban text,
  token text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The answer to each money_transfer uuid, so a repeated uuid gets the known answer.
CREATE TABLE money_transfer (
  uuid uuid PRIMARY KEY,
  success boolean NOT NULL,
  reason text,
  answered_at timestamptz NOT NULL DEFAULT now()
);
