#!/usr/bin/env bash
# A PostgreSQL server for the tests (and for trying the service on PostgreSQL): installs
# Debian's postgresql if missing, starts its cluster, creates a role allowed to create the
# tests' scratch databases and a database of its own, and prints the SQLAlchemy URL.
# Safe to run again: what is there is kept. Progress goes to stderr, the URL alone to stdout:
#   QA_ASSIST_TEST_POSTGRES_URL=$(bash scripts/postgres.sh)
set -euo pipefail

PG_ROLE=${PG_ROLE:-qa_assist}
PG_PASSWORD=${PG_PASSWORD:-qa_assist}
PG_DATABASE=${PG_DATABASE:-qa_assist}

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
  echo "== apt: installing postgresql" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# The newest installed server, and its cluster (Debian creates "main" on install, unless the
# site turned that off: then we create it).
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
cluster=$(pg_lsclusters -h | awk -v v="$version" '$1 == v { print $2; exit }')
if [ -z "$cluster" ]; then
  cluster=main
  echo "== creating cluster $version/$cluster" >&2
  $SUDO pg_createcluster "$version" "$cluster" >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c && $4 == "online" { found=1 } END { exit !found }'; then
  echo "== starting cluster $version/$cluster" >&2
  $SUDO pg_ctlcluster "$version" "$cluster" start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3 }')

psql_admin() { as_postgres psql --port "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }
for _ in $(seq 1 30); do
  psql_admin -c "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done

# CREATEDB: the tests make a fresh database per test and drop it after. A role that exists
# is given the password and rights again, so the printed URL always works.
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"$PG_ROLE\" LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
else
  psql_admin -c "ALTER ROLE \"$PG_ROLE\" LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
fi
# DROP DATABASE ... WITH (FORCE) ends the sessions still on a scratch database; one of them may
# be an autovacuum worker, which only a role with pg_signal_backend may end.
psql_admin -c "GRANT pg_signal_backend TO \"$PG_ROLE\""
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$PG_DATABASE\" OWNER \"$PG_ROLE\""
fi

echo "postgresql+psycopg://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$port/$PG_DATABASE"
