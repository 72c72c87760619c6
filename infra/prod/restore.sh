#!/usr/bin/env bash
# Restore a dump made by infra/prod/backup.sh.
#
#   bash infra/prod/restore.sh DUMP TARGET_DB [--replace]
#
# Restores into TARGET_DB, which must not exist yet (a scratch database to inspect,
# e.g. concierge_restore), owned by concierge_owner with the same grants and
# row-level security as the original. With --replace an existing TARGET_DB is
# dropped first: stop the apps and the worker before (docs/operations.md).
# Env: PGPORT (5432).
set -euo pipefail
dump=${1:?usage: restore.sh DUMP TARGET_DB [--replace]}
target=${2:?usage: restore.sh DUMP TARGET_DB [--replace]}
replace=${3:-}
port=${PGPORT:-5432}
[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 2; }
[[ "$target" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "restore: bad database name '$target'" >&2; exit 2; }
as_postgres=(runuser -u postgres --)
[ "$(id -u)" -eq 0 ] || as_postgres=(sudo -n -u postgres --)
psql_pg() { (cd / && "${as_postgres[@]}" psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"); }

exists=$(psql_pg -tAc "select 1 from pg_database where datname = '$target'")
if [ "$exists" = 1 ]; then
  if [ "$replace" != --replace ]; then
    echo "restore: database $target exists; pass --replace to drop it first (stop the apps and worker before)" >&2
    exit 2
  fi
  psql_pg -c "drop database \"$target\" with (force)"
fi
psql_pg -c "create database \"$target\" owner concierge_owner"
psql_pg -c "revoke all on database \"$target\" from public" -c "grant connect on database \"$target\" to concierge_app, concierge_ops"
# The dump carries owners, grants, policies and the bullmq schema; restore as superuser keeps them.
(cd / && "${as_postgres[@]}" pg_restore -p "$port" --exit-on-error -d "$target" <"$dump")
echo "restore: $dump restored into $target"
