-- The service roles and their databases. Runs as the admin user on the `postgres` database, statement by
-- statement outside a transaction (CREATE DATABASE cannot run in one). Idempotent: it can meet a server
-- where they already exist. Plain psql too, e.g. in a Docker postgres init script:
--   psql -v ON_ERROR_STOP=1 -v db_password="$DB_PASSWORD" -f 001-roles-and-databases.sql

-- psql does not expand variables inside a DO body, so the password travels as a session setting.
SELECT set_config('open_bank.db_password', :'db_password', false);

DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['command_handler', 'graphql_endpoint'] LOOP
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
      EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', role_name,
                     current_setting('open_bank.db_password'));
    ELSE
      EXECUTE format('CREATE ROLE %I WITH LOGIN PASSWORD %L', role_name,
                     current_setting('open_bank.db_password'));
    END IF;
  END LOOP;
END
$$;

SELECT set_config('open_bank.db_password', '', false);

-- CREATE DATABASE has no IF NOT EXISTS; \gexec runs the statement only when the query yields it.
SELECT 'CREATE DATABASE balancedb OWNER command_handler'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'balancedb')\gexec

SELECT 'CREATE DATABASE transactiondb OWNER graphql_endpoint'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'transactiondb')\gexec
