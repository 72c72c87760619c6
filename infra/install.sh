#!/usr/bin/env bash
# Install everything Concierge needs at run time on Debian 12 (bookworm).
# Idempotent: components that are already present are skipped, and the
# all-present fast path takes well under 2 s.
#
#   bash infra/install.sh
#
# Env:
#   CONCIERGE_CACHE   cache dir (default ~/.cache/concierge); livekit-server
#                     ends up at $CONCIERGE_CACHE/bin/livekit-server
#   LIVEKIT_VERSION   only for documentation; the pinned version is 1.13.5
#                     helm (lint group: helm lint / helm template) is built the same
#                     way, pinned to 3.22.0, into $CONCIERGE_CACHE/bin/helm
#   INSTALL_PROFILE   dev (default): everything, test tools included;
#                     server: what a production host needs (infra/prod/install.sh)
set -euo pipefail

LIVEKIT_VERSION=1.13.5
LIVEKIT_MODULE=github.com/livekit/livekit-server/cmd/server
PG_MAJOR=15
CONCIERGE_CACHE="${CONCIERGE_CACHE:-${HOME:-/root}/.cache/concierge}"

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------
# Each entry: "<label>|<apt packages>|<shell test that is true when present>"
PKG_CHECKS=(
  "postgres|postgresql|[ -x /usr/lib/postgresql/$PG_MAJOR/bin/postgres ] && command -v pg_ctlcluster && command -v pg_createcluster && command -v psql"
  "redis|redis-server|command -v redis-server && command -v redis-cli"
  "chromium|chromium|[ -x /usr/bin/chromium ]"
  "curl|curl|command -v curl"
  "shellcheck (npm test -- lint)|shellcheck|command -v shellcheck"
  "japanese font (screenshots)|fonts-ipafont-gothic|[ -d /usr/share/fonts/opentype/ipafont-gothic ]"
  "korean font (screenshots of the ko kiosk)|fonts-nanum|[ -d /usr/share/fonts/truetype/nanum ]"
  "ca-certificates|ca-certificates|[ -s /etc/ssl/certs/ca-certificates.crt ]"
  "caddy (production proxy; infra tests)|caddy|command -v caddy"
  "nftables (firewall test)|nftables|command -v nft"
  "iproute2 (network namespaces)|iproute2|command -v ip"
  "openssl (certificates)|openssl|command -v openssl"
  "certutil (browser trust store in the firewall test)|libnss3-tools|command -v certutil"
  "python3-yaml (Helm manifest check)|python3-yaml|python3 -c 'import yaml'"
)

if [ "${INSTALL_PROFILE:-dev}" = server ]; then
  # A production host needs no browser, linter or screenshot font.
  PKG_CHECKS=("${PKG_CHECKS[0]}" "${PKG_CHECKS[3]}" "${PKG_CHECKS[7]}")
fi

missing_labels=()
missing_pkgs=()
for entry in "${PKG_CHECKS[@]}"; do
  IFS='|' read -r label pkgs check <<<"$entry"
  if eval "$check" >/dev/null 2>&1; then
    say "$label: present"
  else
    missing_labels+=("$label")
    # shellcheck disable=SC2206
    missing_pkgs+=($pkgs)
  fi
done

if ((${#missing_pkgs[@]})); then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install: ${missing_pkgs[*]}"
    SUDO=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; this script targets Debian 12. Install manually: ${missing_pkgs[*]}"

  # Keep Debian postinst scripts from auto-starting redis-server/postgresql
  # (infra/services.sh starts them with our own settings). Only add a
  # policy-rc.d if none exists (Docker images ship one already), and always
  # remove the one we added.
  POLICY=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# added by concierge infra/install.sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    added_policy=1
  fi
  cleanup_policy() { if [ "$added_policy" = 1 ]; then "${SUDO[@]}" rm -f "$POLICY"; fi; }
  trap cleanup_policy EXIT

  t0=$SECONDS
  mkdir -p "$CONCIERGE_CACHE/logs"
  apt_log="$CONCIERGE_CACHE/logs/apt-install.log"
  say "apt: installing ${missing_pkgs[*]} (log: $apt_log)"
  if ! { "${SUDO[@]}" apt-get update -q &&
         "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_pkgs[@]}"; } >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get install failed (full log: $apt_log)"
  fi
  cleanup_policy; added_policy=0
  dt=$((SECONDS - t0))
  for label in "${missing_labels[@]}"; do say "$label: installed in ${dt} s"; done

  # Re-check so a package that installed but does not provide what we need
  # (e.g. a different PostgreSQL major) is reported clearly.
  for entry in "${PKG_CHECKS[@]}"; do
    IFS='|' read -r label pkgs check <<<"$entry"
    eval "$check" >/dev/null 2>&1 || die "$label still missing after installing '$pkgs' (PostgreSQL must be major $PG_MAJOR, i.e. Debian 12)"
  done
fi

# ---------------------------------------------------------------------------
# livekit-server (built from source with the Go toolchain, pinned version)
# ---------------------------------------------------------------------------
BIN_DIR="$CONCIERGE_CACHE/bin"
GOBIN_DIR="$CONCIERGE_CACHE/gobin"
LK_BIN="$BIN_DIR/livekit-server"

# True when "$1 --version" reports exactly $LIVEKIT_VERSION.
lk_version_ok() {
  [ -x "$1" ] || return 1
  local out
  out="$("$1" --version 2>/dev/null)" || return 1
  [[ "$out" =~ (^|[^0-9.])${LIVEKIT_VERSION//./\\.}([^0-9.]|$) ]]
}

# Copy to a temp name then rename, so a running livekit-server is not disturbed.
lk_install_from() {
  mkdir -p "$BIN_DIR"
  cp -f "$1" "$LK_BIN.tmp.$$"
  chmod 755 "$LK_BIN.tmp.$$"
  mv -f "$LK_BIN.tmp.$$" "$LK_BIN"
}

if lk_version_ok "$LK_BIN"; then
  say "livekit-server $LIVEKIT_VERSION: present"
elif lk_version_ok "$GOBIN_DIR/server"; then
  lk_install_from "$GOBIN_DIR/server"
  say "livekit-server $LIVEKIT_VERSION: installed from existing build in $GOBIN_DIR"
else
  GO=""
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
  elif [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go
  fi
  if [ -z "$GO" ]; then
    die "livekit-server $LIVEKIT_VERSION must be built but 'go' was not found.
  Install Go >= 1.26 from https://go.dev/dl/ (e.g. tar -C /usr/local -xzf go1.26.x.linux-amd64.tar.gz
  and add /usr/local/go/bin to PATH). Debian 12's 'golang' package (1.19) is too old.
  Then re-run: bash infra/install.sh"
  fi
  gover="$("$GO" env GOVERSION 2>/dev/null || true)"   # e.g. go1.26.8
  if [[ "$gover" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] < 21)); then
    die "found $gover at $GO, but livekit-server $LIVEKIT_VERSION needs Go >= 1.26 (Go >= 1.21 can fetch it automatically via GOTOOLCHAIN=auto). Install Go from https://go.dev/dl/"
  fi
  mkdir -p "$CONCIERGE_CACHE/logs" "$GOBIN_DIR"
  build_log="$CONCIERGE_CACHE/logs/livekit-build.log"
  if [ -e "$LK_BIN" ]; then
    say "livekit-server: cached binary is not $LIVEKIT_VERSION, rebuilding"
  fi
  say "livekit-server $LIVEKIT_VERSION: building with $gover (several minutes on 2 cores; log: $build_log)"
  t0=$SECONDS
  if ! GOBIN="$GOBIN_DIR" "$GO" install "$LIVEKIT_MODULE@v$LIVEKIT_VERSION" >"$build_log" 2>&1; then
    tail -n 20 "$build_log" >&2
    die "go install $LIVEKIT_MODULE@v$LIVEKIT_VERSION failed (log: $build_log)"
  fi
  lk_version_ok "$GOBIN_DIR/server" || die "built $GOBIN_DIR/server does not report version $LIVEKIT_VERSION"
  lk_install_from "$GOBIN_DIR/server"
  say "livekit-server $LIVEKIT_VERSION: built in $((SECONDS - t0)) s"
fi

# ---------------------------------------------------------------------------
# helm (the lint group renders and lints infra/helm/concierge; dev profile only)
# ---------------------------------------------------------------------------
HELM_VERSION=3.22.0
HELM_BIN="$BIN_DIR/helm"
helm_version_ok() { [ -x "$1" ] && [[ "$("$1" version --short 2>/dev/null)" == "v$HELM_VERSION"* ]]; }
if [ "${INSTALL_PROFILE:-dev}" = server ]; then
  :
elif helm_version_ok "$HELM_BIN"; then
  say "helm $HELM_VERSION: present"
elif helm_version_ok "$GOBIN_DIR/helm"; then
  mkdir -p "$BIN_DIR" && cp -f "$GOBIN_DIR/helm" "$HELM_BIN.tmp.$$" && mv -f "$HELM_BIN.tmp.$$" "$HELM_BIN"
  say "helm $HELM_VERSION: installed from existing build in $GOBIN_DIR"
else
  GO="$(command -v go || true)"
  [ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; }
  [ -n "$GO" ] || die "helm $HELM_VERSION must be built but 'go' was not found (see the livekit-server note above)"
  mkdir -p "$CONCIERGE_CACHE/logs" "$GOBIN_DIR" "$BIN_DIR"
  helm_log="$CONCIERGE_CACHE/logs/helm-build.log"
  say "helm $HELM_VERSION: building with go install (a few minutes on 2 cores; log: $helm_log)"
  t0=$SECONDS
  if ! GOBIN="$GOBIN_DIR" "$GO" install -ldflags "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION" >"$helm_log" 2>&1; then
    tail -n 20 "$helm_log" >&2
    die "go install helm.sh/helm/v3/cmd/helm@v$HELM_VERSION failed (log: $helm_log)"
  fi
  helm_version_ok "$GOBIN_DIR/helm" || die "built $GOBIN_DIR/helm does not report v$HELM_VERSION"
  cp -f "$GOBIN_DIR/helm" "$HELM_BIN.tmp.$$" && mv -f "$HELM_BIN.tmp.$$" "$HELM_BIN"
  say "helm $HELM_VERSION: built in $((SECONDS - t0)) s"
fi
