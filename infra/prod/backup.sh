#!/usr/bin/env bash
# Nightly backup (concierge-backup.timer): pg_dump of the product database in
# PostgreSQL's custom format into BACKUP_DIR, keeping the newest BACKUP_KEEP dumps.
#
#   bash infra/prod/backup.sh          (as root; dumps as the postgres superuser)
#
# Env: DB_NAME (concierge), BACKUP_DIR (/var/backups/concierge), BACKUP_KEEP (14),
#      PGPORT (5432). Prints the dump's path. Restore: infra/prod/restore.sh.
set -euo pipefail
db=${DB_NAME:-concierge}
dir=${BACKUP_DIR:-/var/backups/concierge}
keep=${BACKUP_KEEP:-14}
port=${PGPORT:-5432}
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || { echo "backup: BACKUP_KEEP must be a positive number, got '$keep'" >&2; exit 2; }
[[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "backup: bad DB_NAME '$db'" >&2; exit 2; }
as_postgres=(runuser -u postgres --)
[ "$(id -u)" -eq 0 ] || as_postgres=(sudo -n -u postgres --)

install -d -m 700 "$dir"
stamp=$(date -u +%Y%m%dT%H%M%S%N | cut -c1-18)Z
out="$dir/$db-$stamp.dump"
tmp="$out.partial"
# postgres writes to stdout; the file is created by root, so the dump directory can stay root-only.
if ! (cd / && "${as_postgres[@]}" pg_dump -p "$port" -Fc --no-password "$db") >"$tmp"; then
  rm -f "$tmp"
  echo "backup: pg_dump of $db failed" >&2
  exit 1
fi
chmod 600 "$tmp"
mv "$tmp" "$out"
# Retention: the newest $keep dumps of this database stay.
mapfile -t old < <(find "$dir" -maxdepth 1 -name "$db-*.dump" -printf '%f\n' | sort -r | tail -n +"$((keep + 1))")
for f in "${old[@]}"; do rm -f "${dir:?}/$f"; done
echo "$out"
