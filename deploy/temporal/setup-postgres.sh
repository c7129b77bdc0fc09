#!/bin/sh
# Compose job `temporal-admin-tools`: creates or upgrades the Temporal schemas in PostgreSQL, with the tools and
# schema files of the admin-tools image of the same version as the server. Safe to run on every `up`: `create`
# ignores an existing database, `setup-schema -v 0.0` keeps a newer version, `update-schema` applies only the
# versions not yet applied (which is also how an image upgrade migrates the schema).
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT=${DB_PORT:-5432}
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

# The password travels in SQL_PASSWORD, read by temporal-sql-tool, so it never shows in a process list or log.
sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# Compose starts this job once PostgreSQL is healthy; the wait only matters when the script runs elsewhere.
attempt=1
until nc -z -w 2 "$POSTGRES_SEEDS" "$DB_PORT"; do
  [ "$attempt" -ge 30 ] && { echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT is unreachable" >&2; exit 1; }
  attempt=$((attempt + 1))
  sleep 2
done

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  schema=${pair#*:}
  echo "Schema $schema in database $db"
  sql --db "$db" create
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo 'Temporal schemas are up to date'
