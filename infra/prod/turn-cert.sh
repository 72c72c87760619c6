#!/usr/bin/env bash
# The certificate LiveKit's TURN/TLS listener presents (TURN_CERT_FILE, TURN_KEY_FILE).
# Runs before LiveKit starts (concierge-livekit.service) and from install.sh.
#
#   TLS_MODE=internal: signed by Caddy's local CA (the one behind `tls internal`), so a
#                      device that trusts Caddy's root trusts TURN too; renewed when it
#                      has less than 30 days left.
#   TLS_MODE=acme, TURN_HOST = LIVEKIT_HOST (TURN on 5349 of the main address): copied
#                      from the certificate Caddy obtained for that host.
#   TLS_MODE=acme, TURN_HOST of its own (TURN on 443 of TURN_IP): provide the files
#                      yourself (docs/operations.md); this only checks they are there.
#
# Env: the host's env file (ENV_FILE, default /etc/concierge/concierge.env; - to use the
# environment), CADDY_DATA (/var/lib/caddy/.local/share/caddy).
set -euo pipefail
# shellcheck source=infra/prod/lib.sh
. "$(dirname "$0")/lib.sh"
env_file=${ENV_FILE:-/etc/concierge/concierge.env}
if [ "$env_file" != - ]; then
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
fi
caddy_data=${CADDY_DATA:-/var/lib/caddy/.local/share/caddy}
crt=${TURN_CERT_FILE:?} key=${TURN_KEY_FILE:?}
group=${TURN_CERT_GROUP:-concierge}

finish() {
  chmod 644 "$crt"
  chmod 640 "$key"
  chgrp "$group" "$key" 2>/dev/null || true
}

if [ "${TLS_MODE:-}" = internal ]; then
  if [ -s "$crt" ] && openssl x509 -checkend $((30 * 86400)) -noout -in "$crt" >/dev/null 2>&1 &&
    openssl x509 -noout -ext subjectAltName -in "$crt" 2>/dev/null | grep -q "DNS:$TURN_HOST\b"; then
    exit 0
  fi
  ca="$caddy_data/pki/authorities/local"
  for _ in $(seq 1 100); do [ -s "$ca/intermediate.key" ] && break; sleep 0.1; done
  [ -s "$ca/intermediate.key" ] || { prod_err "Caddy's local CA is not at $ca yet (start Caddy with tls internal first)"; exit 1; }
  tmp=$(mktemp -d)
  make_turn_cert "$tmp" "$ca/intermediate.crt" "$ca/intermediate.key"
  install -m 644 "$tmp/turn.crt" "$crt"
  install -m 640 "$tmp/turn.key" "$key"
  rm -rf "$tmp"
  finish
  echo "turn-cert: issued $crt for $TURN_HOST by Caddy's local CA"
elif [ "$TURN_HOST" = "$LIVEKIT_HOST" ]; then
  src=$(find "$caddy_data/certificates" -path "*/$LIVEKIT_HOST/$LIVEKIT_HOST.crt" 2>/dev/null | head -n 1)
  [ -n "$src" ] || { prod_err "Caddy has no certificate for $LIVEKIT_HOST yet (is DNS pointing here and Caddy running?)"; exit 1; }
  install -m 644 "$src" "$crt"
  install -m 640 "${src%.crt}.key" "$key"
  finish
  echo "turn-cert: copied Caddy's certificate for $LIVEKIT_HOST to $crt"
else
  if ! [ -s "$crt" ] || ! [ -s "$key" ]; then
    prod_err "TURN on its own address needs a certificate for $TURN_HOST at $crt and $key"
    exit 1
  fi
fi
