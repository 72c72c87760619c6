#!/usr/bin/env bash
# Production install on one Debian 12 host with systemd, in one command:
#
#   sudo bash infra/prod/install.sh --domain example.com --public-ip 203.0.113.10 \
#        [--turn-ip 203.0.113.11] [--tls acme --email ops@example.com | --tls internal] \
#        [--app-dir /opt/concierge]
#
# Serves https://kiosk.DOMAIN, https://console.DOMAIN and wss://livekit.DOMAIN on 443 of
# --public-ip through Caddy (Debian's package; Let's Encrypt for real hostnames with
# --tls acme, Caddy's local CA with --tls internal for a test domain); LiveKit's TURN
# server on TLS (443 of --turn-ip as turn.DOMAIN, else 5349 of --public-ip as
# livekit.DOMAIN) and ICE over TCP 7881 / UDP 7882; systemd units for both apps, the
# worker and LiveKit (concierge.target) with restart policies; secrets generated into
# /etc/concierge/concierge.env (root only, kept on re-runs); the nightly pg_dump timer.
# Re-running it updates the release in --app-dir and restarts the units.
#
#   bash infra/prod/install.sh --render-only DIR --domain ... --public-ip ...
#
# writes what the install would write (env file, Caddyfile, livekit.yaml, units) into
# DIR and changes nothing else (infra/tests/prod-install.db.test.ts checks it).
# Details and the firewall ports: docs/operations.md, "Production on one host".
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=infra/prod/lib.sh
. "$REPO/infra/prod/lib.sh"

DOMAIN='' PUBLIC_IP='' TURN_IP='' TLS_MODE=acme ACME_EMAIL='' APP_DIR=/opt/concierge RENDER_ONLY=''
while (($#)); do
  case "$1" in
    --domain) DOMAIN=${2:?}; shift 2 ;;
    --public-ip) PUBLIC_IP=${2:?}; shift 2 ;;
    --turn-ip) TURN_IP=${2:?}; shift 2 ;;
    --tls) TLS_MODE=${2:?}; shift 2 ;;
    --email) ACME_EMAIL=${2:?}; shift 2 ;;
    --app-dir) APP_DIR=${2:?}; shift 2 ;;
    --render-only) RENDER_ONLY=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) prod_err "unknown argument: $1 (see --help)"; exit 2 ;;
  esac
done
say() { printf 'install: %s\n' "$*"; }
die() { prod_err "$*"; exit 1; }

[[ "$DOMAIN" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$ ]] || die "--domain must be a DNS name such as example.com (got '$DOMAIN')"
ip_ok() { [[ "$1" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]]; }
ip_ok "$PUBLIC_IP" || die "--public-ip must be an IPv4 address (got '$PUBLIC_IP')"
[ -z "$TURN_IP" ] || ip_ok "$TURN_IP" || die "--turn-ip must be an IPv4 address (got '$TURN_IP')"
[ "$TURN_IP" != "$PUBLIC_IP" ] || die "--turn-ip must differ from --public-ip (Caddy has 443 there); leave it out for TURN on 5349"
case "$TLS_MODE" in
  acme) [ -n "$ACME_EMAIL" ] || die "--tls acme needs --email (Let's Encrypt account)" ;;
  internal) ;;
  *) die "--tls must be acme or internal" ;;
esac
export DOMAIN PUBLIC_IP TURN_IP TLS_MODE ACME_EMAIL

units=(concierge-kiosk.service concierge-console.service concierge-worker.service concierge-livekit.service concierge.target concierge-backup.service concierge-backup.timer)
LIVEKIT_BIN=${LIVEKIT_BIN:-/usr/local/bin/livekit-server}

# install_units DIR: the unit files with this host's paths.
install_units() {
  local dir=$1 u
  for u in "${units[@]}"; do
    sed -e "s#@APP_DIR@#$APP_DIR#g" -e "s#@LIVEKIT_BIN@#$LIVEKIT_BIN#g" "$REPO/infra/prod/systemd/$u" >"$dir/$u"
  done
  sed -e "s#@APP_DIR@#$APP_DIR#g" "$REPO/infra/prod/systemd/caddy-override.conf" >"$dir/caddy-concierge.conf"
}

if [ -n "$RENDER_ONLY" ]; then
  mkdir -p "$RENDER_ONLY"
  env_file="$RENDER_ONLY/concierge.env"
  [ -e "$env_file" ] || NODE_BIN=${NODE_BIN:-$(command -v node)} gen_env_file "$env_file"
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
  render_caddyfile "$RENDER_ONLY/Caddyfile"
  render_livekit "$RENDER_ONLY/livekit.yaml"
  install_units "$RENDER_ONLY"
  say "rendered into $RENDER_ONLY"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root (sudo bash infra/prod/install.sh ...)"
[ -d /run/systemd/system ] || die "this host does not run systemd; see docs/operations.md for running the units' commands another way"
node_bin=$(command -v node || true)
[ -n "$node_bin" ] || die "Node.js >= 20.19 is needed (Debian 12's nodejs is 18: install Node 20 or 22 from nodejs.org or NodeSource)"
"$node_bin" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node.js >= 20.19 is needed, found $("$node_bin" --version)"

say "packages: caddy postgresql openssl rsync"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q caddy postgresql openssl rsync >/var/log/concierge-install-apt.log 2>&1 ||
  { tail -n 20 /var/log/concierge-install-apt.log >&2; die "apt-get install failed (log: /var/log/concierge-install-apt.log)"; }

say "livekit-server: building or reusing the pinned version (infra/install.sh)"
INSTALL_PROFILE=server bash "$REPO/infra/install.sh"
install -m 755 "${CONCIERGE_CACHE:-/root/.cache/concierge}/bin/livekit-server" "$LIVEKIT_BIN"

id -u concierge >/dev/null 2>&1 || useradd --system --home-dir /var/lib/concierge --shell /usr/sbin/nologin concierge
install -d -m 750 -o concierge -g concierge /var/lib/concierge
install -d -m 750 -o root -g concierge /etc/concierge

env_file=/etc/concierge/concierge.env
if [ -e "$env_file" ]; then
  say "secrets: keeping $env_file"
else
  NODE_BIN=$node_bin gen_env_file "$env_file"
  say "secrets: generated into $env_file (mode 0600, root only)"
fi
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
check_prod_env || exit 78

say "release: $REPO -> $APP_DIR"
install -d -m 755 "$APP_DIR"
rsync -a --delete --exclude node_modules --exclude .run --exclude test-results --exclude .git \
  --exclude 'kiosk/build' --exclude 'console/build' --exclude '.svelte-kit' "$REPO/" "$APP_DIR/"
(cd "$APP_DIR" && npm install --no-audit --no-fund --loglevel=error && npm run -s build) >/var/log/concierge-install-build.log 2>&1 ||
  { tail -n 30 /var/log/concierge-install-build.log >&2; die "build failed (log: /var/log/concierge-install-build.log)"; }
chown -R root:root "$APP_DIR"

say "postgresql: roles, database $DB_NAME, migrations"
systemctl enable --now postgresql >/dev/null
DB_NAMES=$DB_NAME SKIP_REDIS=1 SKIP_LIVEKIT=1 RUN_DIR=/var/lib/concierge/run bash "$APP_DIR/infra/services.sh" start
(cd "$APP_DIR" && npm run -s migrate)

say "systemd: units, Caddy drop-in, backup timer"
tmp=$(mktemp -d)
install_units "$tmp"
for u in "${units[@]}"; do install -m 644 "$tmp/$u" "/etc/systemd/system/$u"; done
install -d /etc/systemd/system/caddy.service.d
install -m 644 "$tmp/caddy-concierge.conf" /etc/systemd/system/caddy.service.d/concierge.conf
rm -rf "$tmp"
install -d -m 700 "$BACKUP_DIR"
systemctl daemon-reload
systemctl enable caddy concierge.target concierge-kiosk.service concierge-console.service concierge-worker.service concierge-livekit.service concierge-backup.timer >/dev/null
systemctl restart caddy
systemctl start concierge-backup.timer
# LiveKit's TURN certificate (Caddy's CA or Caddy's certificate) needs Caddy to be up first.
systemctl restart concierge-livekit.service concierge-kiosk.service concierge-console.service concierge-worker.service

say "waiting for https://$KIOSK_HOST/readyz and https://$CONSOLE_HOST/readyz through Caddy"
curl_tls=()
[ "$TLS_MODE" = internal ] && curl_tls=(--cacert /var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt)
for host in "$KIOSK_HOST" "$CONSOLE_HOST"; do
  ok=0
  for _ in $(seq 1 90); do
    if curl -sf "${curl_tls[@]}" --resolve "$host:443:$PUBLIC_IP" "https://$host/readyz" >/dev/null 2>&1; then ok=1; break; fi
    sleep 2
  done
  [ "$ok" = 1 ] || die "https://$host/readyz did not answer 200 within 3 minutes (journalctl -u 'concierge-*' -u caddy)"
done
cat <<EOF

Concierge is running:
  kiosks:     https://$KIOSK_HOST
  concierges: https://$CONSOLE_HOST
  LiveKit:    wss://$LIVEKIT_HOST (TURN/TLS $TURN_HOST:$TURN_TLS_PORT)
  secrets:    $env_file (root only)
  backups:    $BACKUP_DIR (nightly, newest $BACKUP_KEEP kept)
Open in the firewall: TCP 80, 443 (and 443 on $TURN_IP if set, else 5349), 7881; UDP 7882, $TURN_UDP_PORT.
First tenant and admin: docs/operations.md, "Production on one host".
EOF
