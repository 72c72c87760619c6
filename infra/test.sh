#!/usr/bin/env bash
# npm test: everything the tests need, on a fresh Debian machine or this one.
#   1. system packages and livekit-server (infra/install.sh; cached, quick when present)
#   2. npm packages (npm install when node_modules is missing or older than the lock file)
#   3. services: PostgreSQL (test database), Redis, and a LiveKit instance of its own
#      on test ports, whose webhooks reach the test console
#   4. the lint group (infra/lint.sh: shellcheck, tsc, svelte-check for both apps,
#      eslint, prettier --check), each check one pass or fail
#   5. build both apps, then run every suite (unit, db, web) and print one line
#      "N passed, N failed" totalled over all of them, lint checks included.
# Usage: npm test [-- lint|unit|db|web|infra|all [file-regex]]
#   (for lint the regex picks checks by name: npm test -- lint eslint)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

bash infra/install.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: npm 11.19 writes a lock file holding only this
  # platform's optional packages and then its own `npm ci` refuses that lock.
  echo "npm: installing packages"
  npm install --no-audit --no-fund --loglevel=error
fi
# postgres.js 3.4.9 can leave a transaction open on a pooled connection (porsager/postgres#1189),
# and its pool rotates through every idle connection: both patched at install (postinstall);
# again here for a node_modules installed before the patches existed.
node infra/patches/postgres.mjs

# Test settings: a database of its own, LiveKit on other ports, apps on other ports,
# so tests never touch the development system (which may be running beside them).
# TEST_SLOT=N (default 0) moves all of it to another database and other ports, so
# two checkouts can run their tests on one machine at the same time.
slot=${TEST_SLOT:-0}
test_db=concierge_test$([ "$slot" = 0 ] || echo "_$slot")
export NODE_ENV=test
export DB_NAMES="concierge $test_db"
export DATABASE_URL="postgres://concierge_app:${DB_APP_PASSWORD:-app-dev-password}@127.0.0.1:${PGPORT:-5432}/$test_db"
export DATABASE_OWNER_URL="postgres://concierge_owner:${DB_OWNER_PASSWORD:-owner-dev-password}@127.0.0.1:${PGPORT:-5432}/$test_db"
export DATABASE_OPS_URL="postgres://concierge_ops:${DB_OPS_PASSWORD:-ops-dev-password}@127.0.0.1:${PGPORT:-5432}/$test_db"
export TEST_KIOSK_PORT=$((5183 + 10 * slot))
export TEST_CONSOLE_PORT=$((5184 + 10 * slot))
export WORKER_HEALTH_PORT=$((5185 + 10 * slot))
export RUN_DIR="$REPO/.run/test$slot"
export LIVEKIT_PORT=$((7890 + 10 * slot))
export LIVEKIT_TCP_PORT=$((7891 + 10 * slot))
export LIVEKIT_UDP_PORT=$((7892 + 10 * slot))
export LIVEKIT_WEBHOOK_URL="http://127.0.0.1:${TEST_CONSOLE_PORT}/api/livekit/webhook"
export LIVEKIT_URL="ws://127.0.0.1:${LIVEKIT_PORT}"
export REDIS_TEST_URL="redis://127.0.0.1:${REDIS_PORT:-6379}/$((1 + slot))"
source infra/env.sh

group=${1:-all}
mkdir -p test-results

# Static checks need no services: `npm test -- lint` stops after them; `all` runs
# them first, goes on to the tests whatever they found, and counts them at the end.
if [ "$group" = lint ]; then
  bash infra/lint.sh "${2:-}" 2>&1 | tee test-results/output.txt
  exit "${PIPESTATUS[0]}"
fi
if [ "$group" = all ]; then
  export LINT_COUNTS="$REPO/test-results/lint-counts"
  rm -f "$LINT_COUNTS"
  bash infra/lint.sh 2>&1 | tee test-results/lint.txt || true
fi

bash infra/services.sh start
if [ "${CI:-}" = true ]; then
  # On CI nothing should outlive the run: stop the LiveKit and Redis this run started.
  trap 'bash infra/services.sh stop >/dev/null 2>&1 || true' EXIT
fi

if [ "$group" = all ] || [ "$group" = web ] || [ "$group" = infra ]; then
  echo "build: kiosk and console"
  (cd kiosk && npx vite build --logLevel error)
  (cd console && npx vite build --logLevel error)
fi

status=0
node --import tsx platform/testing/run.ts "$group" "${2:-}" 2>&1 | tee test-results/output.txt || status=$?
exit $status
