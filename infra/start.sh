#!/usr/bin/env bash
# npm start: the whole system on this machine, with a demo tenant.
#   installs what is missing (infra/install.sh), starts PostgreSQL, Redis and LiveKit
#   (infra/services.sh), applies migrations, seeds the demo data, builds and starts the
#   kiosk (5173) and console (5174) apps and the job worker, then prints the URLs and
#   demo sign-ins. Ctrl-C stops the apps; `npm run services -- stop` stops the services.
# `npm start -- --dev` runs the apps with Vite's dev server (hot reload) instead of builds.
set -euo pipefail
cd "$(dirname "$0")/.."

bash infra/install.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "npm: installing packages"
  npm install --no-audit --no-fund --loglevel=error
fi
# postgres.js 3.4.9 can leave a transaction open on a pooled connection (porsager/postgres#1189),
# and its pool rotates through every idle connection: both patched at install (postinstall);
# again here for a node_modules installed before the patches existed.
node infra/patches/postgres.mjs

export KIOSK_PORT=${KIOSK_PORT:-5173} CONSOLE_PORT=${CONSOLE_PORT:-5174}
export LIVEKIT_WEBHOOK_URL=${LIVEKIT_WEBHOOK_URL:-http://127.0.0.1:$CONSOLE_PORT/api/livekit/webhook}
source infra/env.sh
bash infra/services.sh start
npm run -s migrate
npm run -s seed

mkdir -p .run/logs
pids=()
cleanup() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then kill "${pids[@]}" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  echo "apps stopped"
}
trap cleanup EXIT
# Ctrl-C or a stop: stop the apps and end here (not fall through to "an app exited" below).
trap 'cleanup; exit 130' INT TERM

if [ "${1:-}" = "--dev" ]; then
  (cd kiosk && exec npx vite dev --host 127.0.0.1 --port "$KIOSK_PORT" --strictPort) > .run/logs/kiosk.log 2>&1 & pids+=($!)
  (cd console && exec npx vite dev --host 127.0.0.1 --port "$CONSOLE_PORT" --strictPort) > .run/logs/console.log 2>&1 & pids+=($!)
else
  echo "build: kiosk and console"
  (cd kiosk && npx vite build --logLevel error)
  (cd console && npx vite build --logLevel error)
  PORT=$KIOSK_PORT HOST=127.0.0.1 ORIGIN=http://127.0.0.1:$KIOSK_PORT node kiosk/server.js > .run/logs/kiosk.log 2>&1 & pids+=($!)
  PORT=$CONSOLE_PORT HOST=127.0.0.1 ORIGIN=http://127.0.0.1:$CONSOLE_PORT node console/server.js > .run/logs/console.log 2>&1 & pids+=($!)
fi
if [ -f platform/jobs/worker.ts ]; then
  node --import tsx platform/jobs/worker.ts > .run/logs/worker.log 2>&1 & pids+=($!)
fi

for url in "http://127.0.0.1:$KIOSK_PORT/login" "http://127.0.0.1:$CONSOLE_PORT/login"; do
  for _ in $(seq 1 120); do curl -sf -o /dev/null "$url" && break; sleep 0.5; done
  curl -sf -o /dev/null "$url" || { echo "ERROR: $url did not come up; see .run/logs/"; tail -20 .run/logs/*.log; exit 1; }
done
KIOSK_URL=http://127.0.0.1:$KIOSK_PORT CONSOLE_URL=http://127.0.0.1:$CONSOLE_PORT node --import tsx platform/cli/demo-info.ts
echo "Logs: .run/logs/{kiosk,console,worker,livekit}.log"
wait -n "${pids[@]}" || true
echo "an app exited; see .run/logs/"
