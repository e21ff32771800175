#!/bin/sh
# PostgreSQL's image runs this once, on an empty data directory (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d and the repository's migrations read-only at $MIGRATIONS_DIR). It applies
# the migrations the way `pnpm stack up` does (packages/stack/migrations/README.md):
#   cluster/        on database postgres, as the admin user, statement by statement
#   balancedb/      on balancedb, as command_handler, one transaction per file
#   transactiondb/  on transactiondb, as graphql_endpoint, one transaction per file
# and records each file with its sha256 in that database's schema_migrations table, as the stack's runner
# does, so `pnpm stack up` pointed at this server (DB_HOSTNAME) finds them applied. Local connections of
# the image's init phase need no password.
set -eu

: "${DB_PASSWORD:?DB_PASSWORD (password of the service roles) must be set}"
MIGRATIONS_DIR="${MIGRATIONS_DIR:-/migrations}"
ADMIN_USER="${POSTGRES_USER:-postgres}"

run_psql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --output=/dev/null -v db_password="$DB_PASSWORD" "$@"
}

migrate() {
  dir="$1" database="$2" user="$3" single="$4"
  run_psql --username "$user" --dbname "$database" -c \
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())'
  # File names sort byte-wise, as the stack orders them.
  for file in $(cd "$MIGRATIONS_DIR/$dir" && LC_ALL=C ls -- *.sql 2>/dev/null); do
    case "$file" in
      *[!A-Za-z0-9._-]*) echo "migration file name not supported: $dir/$file" >&2; exit 1 ;;
    esac
    sha=$(sha256sum "$MIGRATIONS_DIR/$dir/$file" | cut -d' ' -f1)
    echo "migration $dir/$file on $database as $user"
    # With --single-transaction the file and its record commit together.
    run_psql --username "$user" --dbname "$database" $single \
      -f "$MIGRATIONS_DIR/$dir/$file" \
      -c "INSERT INTO schema_migrations (name, sha256) VALUES ('$file', '$sha')"
  done
}

migrate cluster postgres "$ADMIN_USER" ''
migrate balancedb balancedb command_handler --single-transaction
migrate transactiondb transactiondb graphql_endpoint --single-transaction
