# shellcheck shell=bash
# Default development environment for Concierge.
#
#   source infra/env.sh
#
# Every variable uses `: "${VAR:=default}"`, so anything already set in the
# environment wins. Safe to source from scripts running under `set -euo pipefail`.
# Passwords are embedded in URLs as-is: if you override DB_*_PASSWORD with
# characters that are special in URLs (@ : / ? # %), set the *_URL variables
# yourself with the password percent-encoded.

: "${CONCIERGE_CACHE:=${HOME:-/root}/.cache/concierge}"
export CONCIERGE_CACHE
case ":${PATH:-}:" in
  *":$CONCIERGE_CACHE/bin:"*) ;;
  *) export PATH="$CONCIERGE_CACHE/bin${PATH:+:$PATH}" ;;
esac

# --- PostgreSQL (see docs/operations.md: three roles) ----------------------
: "${DB_OWNER_PASSWORD:=owner-dev-password}"
: "${DB_APP_PASSWORD:=app-dev-password}"
: "${DB_OPS_PASSWORD:=ops-dev-password}"
: "${DATABASE_URL:=postgres://concierge_app:${DB_APP_PASSWORD}@127.0.0.1:${PGPORT:-5432}/concierge}"
: "${DATABASE_OWNER_URL:=postgres://concierge_owner:${DB_OWNER_PASSWORD}@127.0.0.1:${PGPORT:-5432}/concierge}"
: "${DATABASE_OPS_URL:=postgres://concierge_ops:${DB_OPS_PASSWORD}@127.0.0.1:${PGPORT:-5432}/concierge}"
export DB_OWNER_PASSWORD DB_APP_PASSWORD DB_OPS_PASSWORD
export DATABASE_URL DATABASE_OWNER_URL DATABASE_OPS_URL
# A PostgreSQL on this machine is reached through its Unix socket rather than TCP loopback:
# fewer CPU cycles per query in the apps and in PostgreSQL, and a shorter round trip
# (docs/benchmarks.md). infra/services.sh allows password auth on it for our roles and
# proves a login through it. DATABASE_SOCKET_DIR= (empty) keeps TCP.
case "$DATABASE_URL" in
  *@127.0.0.1:* | *@localhost:*) : "${DATABASE_SOCKET_DIR=/var/run/postgresql}" ;;
esac
export DATABASE_SOCKET_DIR="${DATABASE_SOCKET_DIR-}"

# --- LiveKit ----------------------------------------------------------------
: "${LIVEKIT_URL:=ws://127.0.0.1:${LIVEKIT_PORT:-7880}}"
: "${LIVEKIT_API_KEY:=devkey}"
: "${LIVEKIT_API_SECRET:=concierge-dev-secret-0123456789abcdef0123}"
export LIVEKIT_URL LIVEKIT_API_KEY LIVEKIT_API_SECRET

# --- Metrics ---------------------------------------------------------------------
# /metrics on both apps and the worker's health port require this bearer token.
: "${METRICS_TOKEN:=concierge-dev-metrics-token-0123456789}"
export METRICS_TOKEN

# --- Browser for E2E tests ----------------------------------------------------
: "${CHROMIUM_PATH:=/usr/bin/chromium}"
export CHROMIUM_PATH

# --- Redis ---------------------------------------------------------------------
# REDIS_URL is deliberately NOT set: without it the product uses its PostgreSQL
# job backend. Set REDIS_URL=redis://127.0.0.1:6379/0 to opt in to Redis.
# Tests that exercise the Redis backend use DB index 1 of the dev Redis.
: "${REDIS_TEST_URL:=redis://127.0.0.1:${REDIS_PORT:-6379}/1}"
export REDIS_TEST_URL
