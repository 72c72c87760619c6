#!/usr/bin/env bash
# Render one production config from the host's env file, refusing development
# secrets and missing variables (naming them). The systemd units run it before
# starting Caddy and LiveKit; the namespace and scale-out tests run it too.
#
#   bash infra/prod/render.sh caddy|livekit|check OUT
#
# Env: ENV_FILE (/etc/concierge/concierge.env) is sourced first; variables already
# in the environment are overridden by it unless ENV_FILE=- (use the environment only).
set -euo pipefail
# shellcheck source=infra/prod/lib.sh
. "$(dirname "$0")/lib.sh"
what=${1:?usage: render.sh caddy|livekit|check OUT}
out=${2:-}
env_file=${ENV_FILE:-/etc/concierge/concierge.env}
if [ "$env_file" != - ]; then
  [ -r "$env_file" ] || { prod_err "cannot read $env_file (run infra/prod/install.sh, or set ENV_FILE)"; exit 78; }
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
fi
case "$what" in
  check) check_prod_env || exit 78 ;;
  caddy) render_caddyfile "${out:?OUT file}" || exit 78 ;;
  livekit) render_livekit "${out:?OUT file}" || exit 78 ;;
  *) prod_err "unknown: $what (caddy, livekit, check)"; exit 2 ;;
esac
