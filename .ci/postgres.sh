#!/usr/bin/env bash
# Start the local PostgreSQL cluster and make sure the application's role exists (LOGIN,
# CREATEDB, known password); with a database name as the first argument, also create that
# database (owned by the role) if it is missing. Used by .ci/run and bench/run.py.
# Needs root (it runs psql as the postgres user). Safe to run again.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_PORT="${PG_PORT:-5432}"
DB_USER="${DB_USER:-portal}"
DB_PASSWORD="${DB_PASSWORD:-portal}"
DB_NAME="${1:-}"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

pg_ctlcluster "$PG_VERSION" main status >/dev/null 2>&1 || pg_ctlcluster "$PG_VERSION" main start
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1 -p $PG_PORT" <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SQL
if [ -n "$DB_NAME" ]; then
  su postgres -c "psql -p $PG_PORT -tAc \"SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'\"" | grep -q 1 \
    || su postgres -c "createdb -p $PG_PORT -O $DB_USER $DB_NAME"
fi
