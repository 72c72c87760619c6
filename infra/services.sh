#!/usr/bin/env bash
# Start / stop / inspect the services Concierge needs at run time:
#   PostgreSQL 15 (Debian cluster 15/main), Redis (optional), LiveKit.
#
#   bash infra/services.sh start|stop|status
#
# Idempotent: `start` on running services only confirms readiness.
# Run as root (uses pg_ctlcluster and `runuser -u postgres`).
#
# Env (defaults in parentheses; shared defaults come from infra/env.sh):
#   RUN_DIR ($REPO/.run)          pid files, rendered livekit.yaml, logs/ ;
#                                 a relative path is taken relative to $REPO
#   PGPORT (5432)  PG_VERSION (15)  PG_CLUSTER (main)
#   DB_NAMES ("concierge concierge_test")
#   DB_OWNER_PASSWORD / DB_APP_PASSWORD / DB_OPS_PASSWORD
#   REDIS_PORT (6379)             skipped if something already answers PING
#   LIVEKIT_PORT (7880) LIVEKIT_TCP_PORT (7881) LIVEKIT_UDP_PORT (7882)
#   LIVEKIT_PROMETHEUS_PORT (LIVEKIT_PORT + 3) LiveKit's own Prometheus metrics
#   LIVEKIT_API_KEY / LIVEKIT_API_SECRET
#   LIVEKIT_WEBHOOK_URL (http://127.0.0.1:5174/api/livekit/webhook)
#   LIVEKIT_REDIS_ADDRESS (unset) host:port -> LiveKit multi-node mode
#   LIVEKIT_REDIS_PASSWORD, LIVEKIT_REDIS_DB (unset) only with the above
#   LIVEKIT_BIN ($CONCIERGE_CACHE/bin/livekit-server)
#   LIVEKIT_TEMPLATE ($REPO/infra/livekit/livekit.yaml.tmpl)
#   STOP_POSTGRES (0)             `stop` also stops the PostgreSQL cluster if 1
#   SKIP_POSTGRES / SKIP_REDIS / SKIP_LIVEKIT (0)   leave that service alone
#
# Second LiveKit for tests, alongside the dev one:
#   RUN_DIR=.run/test LIVEKIT_PORT=7890 LIVEKIT_TCP_PORT=7891 LIVEKIT_UDP_PORT=7892 \
#   LIVEKIT_WEBHOOK_URL=http://127.0.0.1:5184/api/livekit/webhook bash infra/services.sh start
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=infra/env.sh
. "$REPO/infra/env.sh"

RUN_DIR="${RUN_DIR:-$REPO/.run}"
case "$RUN_DIR" in /*) ;; *) RUN_DIR="$REPO/$RUN_DIR" ;; esac
LOG_DIR="$RUN_DIR/logs"

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PGPORT="${PGPORT:-5432}"
DB_NAMES="${DB_NAMES:-concierge concierge_test}"
REDIS_PORT="${REDIS_PORT:-6379}"
LIVEKIT_PORT="${LIVEKIT_PORT:-7880}"
LIVEKIT_TCP_PORT="${LIVEKIT_TCP_PORT:-7881}"
LIVEKIT_UDP_PORT="${LIVEKIT_UDP_PORT:-7882}"
LIVEKIT_PROMETHEUS_PORT="${LIVEKIT_PROMETHEUS_PORT:-$((LIVEKIT_PORT + 3))}"
LIVEKIT_WEBHOOK_URL="${LIVEKIT_WEBHOOK_URL:-http://127.0.0.1:5174/api/livekit/webhook}"
LIVEKIT_BIN="${LIVEKIT_BIN:-$CONCIERGE_CACHE/bin/livekit-server}"
LIVEKIT_START_TIMEOUT="${LIVEKIT_START_TIMEOUT:-30}"
STOP_POSTGRES="${STOP_POSTGRES:-0}"

PG_LOG="/var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"

say()  { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
err()  { printf 'ERROR: %s\n' "$*" >&2; }

# show_log <service> <file>...: last 20 lines of each existing log file
show_log() {
  local svc="$1" f; shift
  for f in "$@"; do
    [ -r "$f" ] || continue
    printf -- '----- %s: last 20 lines of %s -----\n' "$svc" "$f" >&2
    tail -n 20 "$f" >&2 || true
    printf -- '-----\n' >&2
  done
}

now_ms() { local t; t="$(date +%s%N)"; echo $((t / 1000000)); }

# pid_alive <pidfile> <cmdline substring>: pid in file is running that program
pid_alive() {
  local pidfile="$1" match="$2" pid cmd
  [ -s "$pidfile" ] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *"$match"* ]]
}

# stop_pid <name> <pidfile> <cmdline match> <seconds before SIGKILL>
stop_pid() {
  local name="$1" pidfile="$2" match="$3" grace="$4" pid i
  if ! [ -e "$pidfile" ]; then
    say "$name: not running from $RUN_DIR (no pid file)"
    return 0
  fi
  if ! pid_alive "$pidfile" "$match"; then
    rm -f "$pidfile"
    say "$name: not running (removed stale pid file)"
    return 0
  fi
  pid="$(<"$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    # LiveKit drains on the first signal and exits hard on the second.
    if ((i == grace * 5)); then kill -TERM "$pid" 2>/dev/null || true; fi
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    say "$name: killed (pid $pid did not exit within ${grace} s)"
  else
    say "$name: stopped (pid $pid)"
  fi
  rm -f "$pidfile"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  AS_ROOT=()
  AS_POSTGRES=(runuser -u postgres --)
else
  AS_ROOT=(sudo -n)
  AS_POSTGRES=(sudo -n -u postgres --)
fi

pg_cluster_exists() { [ -f "/etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf" ]; }
pg_running() { "${AS_ROOT[@]}" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; }
pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PGPORT" -t 1 >/dev/null 2>&1; }

# SQL string literal
sql_lit() { local s="${1//\'/\'\'}"; printf "'%s'" "$s"; }

pg_setup_sql() {
  local db
  cat <<SQL
SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['concierge_owner','concierge_app','concierge_ops']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \\gexec
-- owner: owns databases/schema/tables and runs migrations. Not superuser and
-- cannot bypass RLS.
ALTER ROLE concierge_owner WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD $(sql_lit "$DB_OWNER_PASSWORD");
-- app: used by the web apps and the worker; subject to row-level security.
ALTER ROLE concierge_app   WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD $(sql_lit "$DB_APP_PASSWORD");
-- ops: audited platform-operator cross-tenant read path; same restrictions.
ALTER ROLE concierge_ops   WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD $(sql_lit "$DB_OPS_PASSWORD");
SQL
  for db in $DB_NAMES; do
    cat <<SQL
SELECT 'CREATE DATABASE $db OWNER concierge_owner'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db') \\gexec
ALTER DATABASE $db OWNER TO concierge_owner;
REVOKE ALL ON DATABASE $db FROM PUBLIC;
GRANT CONNECT ON DATABASE $db TO concierge_app, concierge_ops;
\\connect $db
ALTER SCHEMA public OWNER TO concierge_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO concierge_app, concierge_ops;
\\connect postgres
SQL
  done
}

pg_start() {
  local ctl_log="$LOG_DIR/postgres-ctl.log" setup_log="$LOG_DIR/postgres-setup.log" db i port
  ln -sfn "$PG_LOG" "$LOG_DIR/postgresql.log"
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v psql >/dev/null 2>&1; then
    err "postgres: pg_ctlcluster/psql not found; run: bash infra/install.sh"
    return 1
  fi
  for db in $DB_NAMES; do
    if ! [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]]; then
      err "postgres: invalid database name '$db' in DB_NAMES (use lower-case letters, digits, _)"
      return 1
    fi
  done

  if ! pg_cluster_exists; then
    say "postgres: creating cluster $PG_VERSION/$PG_CLUSTER on port $PGPORT"
    if ! "${AS_ROOT[@]}" pg_createcluster -p "$PGPORT" "$PG_VERSION" "$PG_CLUSTER" >>"$ctl_log" 2>&1; then
      err "postgres: pg_createcluster $PG_VERSION $PG_CLUSTER failed"
      show_log postgres "$ctl_log"
      return 1
    fi
  fi
  # Room for the apps, the worker, LISTEN connections and several test slots at once
  # (each slot's apps, worker and test process hold pools of their own).
  if [ "$("${AS_ROOT[@]}" pg_conftool -s "$PG_VERSION" "$PG_CLUSTER" show max_connections 2>/dev/null || echo 100)" -lt 300 ] && ! pg_running; then
    "${AS_ROOT[@]}" pg_conftool "$PG_VERSION" "$PG_CLUSTER" set max_connections 300
  fi
  port="$("${AS_ROOT[@]}" pg_conftool -s "$PG_VERSION" "$PG_CLUSTER" show port 2>/dev/null || echo 5432)"
  if [ "$port" != "$PGPORT" ]; then
    say "postgres: cluster $PG_VERSION/$PG_CLUSTER is configured for port $port, setting port $PGPORT"
    "${AS_ROOT[@]}" pg_conftool "$PG_VERSION" "$PG_CLUSTER" set port "$PGPORT"
    if pg_running; then
      "${AS_ROOT[@]}" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart >>"$ctl_log" 2>&1 9>&- || true
    fi
  fi

  if pg_running && pg_ready; then
    say "postgres: already running on 127.0.0.1:$PGPORT (cluster $PG_VERSION/$PG_CLUSTER)"
  else
    if ! pg_running; then
      if ! "${AS_ROOT[@]}" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >>"$ctl_log" 2>&1 9>&-; then
        err "postgres: pg_ctlcluster $PG_VERSION $PG_CLUSTER start failed"
        show_log postgres "$ctl_log" "$PG_LOG"
        return 1
      fi
    fi
    for ((i = 0; i < 300; i++)); do pg_ready && break; sleep 0.1; done
    if ! pg_ready; then
      err "postgres: not accepting TCP connections on 127.0.0.1:$PGPORT after 30 s"
      show_log postgres "$ctl_log" "$PG_LOG"
      return 1
    fi
    say "postgres: started on 127.0.0.1:$PGPORT (cluster $PG_VERSION/$PG_CLUSTER)"
  fi

  # Roles and databases (idempotent). SQL goes through stdin so passwords do
  # not show up in `ps`.
  if ! pg_setup_sql | (cd / && "${AS_POSTGRES[@]}" psql -X -q -v ON_ERROR_STOP=1 -p "$PGPORT" -d postgres) >"$setup_log" 2>&1; then
    err "postgres: creating roles/databases failed"
    show_log postgres "$setup_log"
    return 1
  fi
  # Prove password auth over TCP works for the app role (scram-sha-256 in pg_hba).
  db="${DB_NAMES%% *}"
  if ! PGPASSWORD="$DB_APP_PASSWORD" psql -X -q -w -h 127.0.0.1 -p "$PGPORT" -U concierge_app -d "$db" -c 'select 1' >>"$setup_log" 2>&1; then
    err "postgres: concierge_app cannot log in over TCP to $db (check pg_hba.conf)"
    show_log postgres "$setup_log"
    return 1
  fi
  pg_socket_auth || return 1
  # The apps connect through the socket when DATABASE_SOCKET_DIR is set (infra/env.sh): prove it works.
  if [ -n "${DATABASE_SOCKET_DIR:-}" ] && ! PGPASSWORD="$DB_APP_PASSWORD" psql -X -q -w -h "$DATABASE_SOCKET_DIR" -p "$PGPORT" -U concierge_app -d "$db" -c 'select 1' >>"$setup_log" 2>&1; then
    err "postgres: concierge_app cannot log in through the Unix socket in $DATABASE_SOCKET_DIR (pg_hba.conf needs a 'local' scram-sha-256 line for it; DATABASE_SOCKET_DIR= uses TCP instead)"
    show_log postgres "$setup_log"
    return 1
  fi
  say "postgres: roles concierge_owner/app/ops and databases ($DB_NAMES) ready"
}

# Password auth for our roles over the Unix socket too (Debian's default is peer for
# every local connection): a socket connection costs the apps less CPU per query than
# TCP loopback (docs/benchmarks.md). Idempotent: the line goes in once, before the
# catch-all `local all all peer`, and the cluster reloads its configuration.
pg_socket_auth() {
  local hba line='local   all             concierge_owner,concierge_app,concierge_ops     scram-sha-256'
  hba="$("${AS_ROOT[@]}" pg_conftool -s "$PG_VERSION" "$PG_CLUSTER" show hba_file 2>/dev/null)" || hba=""
  if [ -z "$hba" ] || [ ! -f "$hba" ]; then
    say "postgres: pg_hba.conf not found; Unix-socket password auth not set"
    return 0
  fi
  if ! grep -q '^local[[:space:]]\+all[[:space:]]\+concierge_owner,concierge_app,concierge_ops[[:space:]]' "$hba"; then
    if grep -q '^local[[:space:]]\+all[[:space:]]\+all[[:space:]]' "$hba"; then
      "${AS_ROOT[@]}" sed -i "0,/^local[[:space:]]\+all[[:space:]]\+all[[:space:]]/s//$line\n&/" "$hba"
    else
      printf '%s\n' "$line" | "${AS_ROOT[@]}" tee -a "$hba" >/dev/null
    fi
    "${AS_ROOT[@]}" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" reload 9>&- || { err "postgres: reload after editing $hba failed"; return 1; }
    say "postgres: password auth over the Unix socket for the concierge roles ($hba)"
  fi
}

pg_stop() {
  if [ "$STOP_POSTGRES" != 1 ]; then
    say "postgres: left running (set STOP_POSTGRES=1 to stop the cluster)"
    return 0
  fi
  if pg_running; then
    "${AS_ROOT[@]}" pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
    say "postgres: stopped cluster $PG_VERSION/$PG_CLUSTER"
  else
    say "postgres: not running"
  fi
}

pg_status() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then say "postgres: not installed"; return 1; fi
  if pg_running && pg_ready; then
    say "postgres: running on 127.0.0.1:$PGPORT (cluster $PG_VERSION/$PG_CLUSTER)"
  elif pg_running; then
    say "postgres: cluster running but not accepting TCP on 127.0.0.1:$PGPORT"; return 1
  else
    say "postgres: stopped"; return 1
  fi
}

# ---------------------------------------------------------------------------
# Redis (optional at run time; tests share the dev instance on another DB index)
# ---------------------------------------------------------------------------
REDIS_PID="$RUN_DIR/redis.pid"
REDIS_LOG="$LOG_DIR/redis.log"

redis_ping() {
  command -v redis-cli >/dev/null 2>&1 || return 1
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

redis_owner() {
  if pid_alive "$REDIS_PID" redis-server; then echo "pid $(<"$REDIS_PID"), started from $RUN_DIR"
  else echo "not started from $RUN_DIR, shared"; fi
}

redis_start() {
  local i
  if redis_ping; then
    say "redis: already running on 127.0.0.1:$REDIS_PORT ($(redis_owner))"
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    warn "redis: redis-server not installed; skipping (Redis is optional; run bash infra/install.sh)"
    return 0
  fi
  rm -f "$REDIS_PID"
  printf '=== %s services.sh start ===\n' "$(date -Is)" >>"$REDIS_LOG"
  # redis-server writes --logfile itself once daemonized; early errors go to stdout.
  # shellcheck disable=SC2094
  if ! redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
      --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" --dir "$RUN_DIR" \
      --save '' --appendonly no >>"$REDIS_LOG" 2>&1 9>&-; then
    err "redis: redis-server failed to start"
    show_log redis "$REDIS_LOG"
    return 1
  fi
  for ((i = 0; i < 100; i++)); do redis_ping && break; sleep 0.1; done
  if ! redis_ping; then
    err "redis: no PONG from 127.0.0.1:$REDIS_PORT after 10 s"
    show_log redis "$REDIS_LOG"
    return 1
  fi
  say "redis: started on 127.0.0.1:$REDIS_PORT (pid $(cat "$REDIS_PID" 2>/dev/null || echo '?'))"
}

redis_stop() { stop_pid redis "$REDIS_PID" redis-server 10; }

redis_status() {
  if redis_ping; then say "redis: running on 127.0.0.1:$REDIS_PORT ($(redis_owner))"
  elif ! command -v redis-server >/dev/null 2>&1; then say "redis: not installed (optional)"
  else say "redis: stopped"; return 1; fi
}

# ---------------------------------------------------------------------------
# LiveKit
# ---------------------------------------------------------------------------
LK_PID="$RUN_DIR/livekit.pid"
LK_LOG="$LOG_DIR/livekit.log"
LK_CONF="$RUN_DIR/livekit.yaml"
LK_TMPL="${LIVEKIT_TEMPLATE:-$REPO/infra/livekit/livekit.yaml.tmpl}"

lk_ready() { curl -sf --max-time 2 "http://127.0.0.1:$LIVEKIT_PORT/" >/dev/null 2>&1; }

# render_livekit_config <output file>
render_livekit_config() {
  local out="$1" content var val pat
  for var in LIVEKIT_PORT LIVEKIT_TCP_PORT LIVEKIT_UDP_PORT LIVEKIT_PROMETHEUS_PORT; do
    [[ "${!var}" =~ ^[0-9]+$ ]] || { err "livekit: $var must be a port number, got '${!var}'"; return 1; }
  done
  if ((${#LIVEKIT_API_SECRET} < 32)); then
    err "livekit: LIVEKIT_API_SECRET must be at least 32 characters"; return 1
  fi
  content="$(<"$LK_TMPL")"
  for var in LIVEKIT_PORT LIVEKIT_TCP_PORT LIVEKIT_UDP_PORT LIVEKIT_PROMETHEUS_PORT LIVEKIT_API_KEY LIVEKIT_API_SECRET LIVEKIT_WEBHOOK_URL; do
    val="${!var}"
    if [[ "$val" == *[\"\\$'\n']* ]]; then
      err "livekit: $var must not contain quotes, backslashes or newlines"; return 1
    fi
    pat="\${$var}"
    content="${content//"$pat"/"$val"}"
  done
  if [ -n "${LIVEKIT_REDIS_ADDRESS:-}" ]; then
    content+=$'\n\n# multi-node mode (LIVEKIT_REDIS_ADDRESS)\nredis:\n  address: "'"$LIVEKIT_REDIS_ADDRESS"'"'
    if [ -n "${LIVEKIT_REDIS_PASSWORD:-}" ]; then
      content+=$'\n  password: "'"$LIVEKIT_REDIS_PASSWORD"'"'
    fi
    if [ -n "${LIVEKIT_REDIS_DB:-}" ]; then
      content+=$'\n  db: '"$LIVEKIT_REDIS_DB"
    fi
  fi
  local stripped
  stripped="$(grep -v '^[[:space:]]*#' <<<"$content" || true)"
  # shellcheck disable=SC2016
  if [[ "$stripped" == *'${'* ]]; then
    err "livekit: unsubstituted placeholder left in $LK_TMPL:"
    # shellcheck disable=SC2016
    grep -n '\${' <<<"$stripped" >&2 || true
    return 1
  fi
  printf '%s\n' "$content" >"$out"
  chmod 600 "$out"
}

lk_start() {
  local i new="$LK_CONF.new" pid
  if ! command -v curl >/dev/null 2>&1; then
    err "livekit: curl not found (needed for the readiness check); run: bash infra/install.sh"
    return 1
  fi
  render_livekit_config "$new" || return 1

  if pid_alive "$LK_PID" livekit-server; then
    pid="$(<"$LK_PID")"
    for ((i = 0; i < LIVEKIT_START_TIMEOUT * 10; i++)); do lk_ready && break; sleep 0.1; done
    if ! lk_ready; then
      err "livekit: pid $pid is running but http://127.0.0.1:$LIVEKIT_PORT/ does not answer"
      show_log livekit "$LK_LOG"
      rm -f "$new"
      return 1
    fi
    if cmp -s "$new" "$LK_CONF"; then
      rm -f "$new"
      say "livekit: already running on 127.0.0.1:$LIVEKIT_PORT (pid $pid)"
      return 0
    fi
    # A running LiveKit with an older config (a new release changed the template) would
    # make tests and the demo run against settings the code no longer expects.
    say "livekit: config changed since start; restarting to apply it"
    lk_stop || return 1
  fi

  rm -f "$LK_PID"
  if lk_ready; then
    err "livekit: port $LIVEKIT_PORT already answers but not from a LiveKit started with RUN_DIR=$RUN_DIR; stop it or choose another LIVEKIT_PORT"
    rm -f "$new"
    return 1
  fi
  if ! [ -x "$LIVEKIT_BIN" ]; then
    err "livekit: $LIVEKIT_BIN not found; run: bash infra/install.sh"
    rm -f "$new"
    return 1
  fi
  mv -f "$new" "$LK_CONF"
  printf '=== %s services.sh start: %s --config %s ===\n' "$(date -Is)" "$LIVEKIT_BIN" "$LK_CONF" >>"$LK_LOG"
  # setsid: own session, so ^C in the calling terminal does not reach it.
  setsid nohup "$LIVEKIT_BIN" --config "$LK_CONF" >>"$LK_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$LK_PID"
  for ((i = 0; i < LIVEKIT_START_TIMEOUT * 10; i++)); do
    lk_ready && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! lk_ready; then
    if kill -0 "$pid" 2>/dev/null; then
      err "livekit: pid $pid did not answer on http://127.0.0.1:$LIVEKIT_PORT/ within ${LIVEKIT_START_TIMEOUT} s (left running; '$0 stop' to stop)"
    else
      err "livekit: livekit-server exited during startup"
      rm -f "$LK_PID"
    fi
    show_log livekit "$LK_LOG"
    return 1
  fi
  say "livekit: started on 127.0.0.1:$LIVEKIT_PORT (rtc tcp $LIVEKIT_TCP_PORT, udp $LIVEKIT_UDP_PORT, pid $pid)"
}

lk_stop() { stop_pid livekit "$LK_PID" livekit-server 10; }

lk_status() {
  if pid_alive "$LK_PID" livekit-server; then
    if lk_ready; then say "livekit: running on 127.0.0.1:$LIVEKIT_PORT (pid $(<"$LK_PID"), $RUN_DIR)"
    else say "livekit: pid $(<"$LK_PID") alive but http://127.0.0.1:$LIVEKIT_PORT/ not answering"; return 1; fi
  elif lk_ready; then
    say "livekit: port $LIVEKIT_PORT answers, but not started from $RUN_DIR"
  else
    say "livekit: stopped ($RUN_DIR)"; return 1
  fi
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
# Children get `9>&-` so daemons do not inherit (and hold) the lock.
# One lock for all start/stop runs of this checkout, so a dev and a test start
# launched at the same moment cannot both try to create the cluster or bind Redis.
with_lock() {
  mkdir -p "$REPO/.run"
  exec 9>"$REPO/.run/.services.lock"
  if ! flock -w 180 9; then
    err "another infra/services.sh is still running (lock $REPO/.run/.services.lock)"
    exit 1
  fi
}

cmd_start() {
  local t0 failed=()
  t0="$(now_ms)"
  mkdir -p "$LOG_DIR"
  with_lock
  [ "${SKIP_POSTGRES:-0}" = 1 ] || pg_start || failed+=(postgres)
  [ "${SKIP_REDIS:-0}" = 1 ]    || redis_start || failed+=(redis)
  [ "${SKIP_LIVEKIT:-0}" = 1 ]  || lk_start || failed+=(livekit)
  if ((${#failed[@]})); then
    err "services failed to start: ${failed[*]} (logs in $LOG_DIR)"
    exit 1
  fi
  say "services: ready in $(( $(now_ms) - t0 )) ms (logs: $LOG_DIR)"
}

cmd_stop() {
  mkdir -p "$LOG_DIR"
  with_lock
  [ "${SKIP_LIVEKIT:-0}" = 1 ]  || lk_stop
  [ "${SKIP_REDIS:-0}" = 1 ]    || redis_stop
  [ "${SKIP_POSTGRES:-0}" = 1 ] || pg_stop
}

cmd_status() {
  local rc=0
  pg_status || rc=1
  redis_status || rc=1
  lk_status || rc=1
  return $rc
}

case "${1:-}" in
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
