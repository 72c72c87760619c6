#!/usr/bin/env bash
# The lint group of `npm test` (infra/test.sh runs it before the unit tests; alone:
# `npm test -- lint [check-regex]`). Static checks, each one pass or one fail:
#   1. shellcheck: infra/*.sh, infra/prod/*.sh and .ci/run
#   2. typescript: tsc over platform/, bench/ and eslint-rules/ (the root tsconfig.json)
#   3. svelte-check:kiosk, svelte-check:console: components, routes, src/lib and tests/
#   4. eslint: eslint.config.js (typed rules, no SQL outside *.repo.ts, ...)
#   5. prettier: prettier --check . (fix with `npm run format`)
#   6. helm: helm lint --strict and helm template of infra/helm/concierge with the default
#      and the production values, the rendered manifests checked by
#      infra/helm/check-manifests.py (probes, resources, non-root, no plain secrets),
#      and the checker shown to refuse infra/helm/testdata/bad-manifests.yaml
# A failing check prints its full output under its name and the script goes on
# to the next one. The last line is "lint: N passed, N failed"; the counts are
# also written to $LINT_COUNTS when set (test.sh adds them to the closing line).
# Exit status: 1 when any check failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
bin=$PWD/node_modules/.bin
filter=${1:-}

passed=0
failed=0
failed_names=()

# check NAME COMMAND...: run COMMAND quietly; on failure show what it printed.
check() {
  local name=$1 t0=$SECONDS out status
  shift
  if [ -n "$filter" ] && ! [[ $name =~ $filter ]]; then return 0; fi
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" = 0 ]; then
    passed=$((passed + 1))
    printf 'lint: %-22s ok (%d s)\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    printf 'lint: %-22s FAILED (exit %d, %d s)\n' "$name" "$status" $((SECONDS - t0))
    printf '%s\n' "$out" | sed "s/^/  $name | /"
    printf 'lint: %-22s FAILED: see above\n' "$name"
  fi
}

svelte_check() {
  # --tsconfig: diagnose every file the app's tsconfig includes (its
  # .svelte-kit/tsconfig.json lists src/** and tests/**), TypeScript as well as Svelte.
  "$bin/svelte-check" --workspace "$1" --tsconfig ./tsconfig.json --fail-on-warnings --output human
}

# The apps' tsconfig.json extends the generated .svelte-kit/tsconfig.json, and the
# apps import Paraglide's compiled messages (src/lib/paraglide, generated, not in git):
# svelte-check and typed ESLint both need them, on a fresh clone too.
sync_app() {
  (cd "$1" && "$bin/paraglide-js" compile --project ./project.inlang --outdir ./src/lib/paraglide --emit-ts-declarations --silent && "$bin/svelte-kit" sync)
}
sync_out=$( (sync_app kiosk) 2>&1 && (sync_app console) 2>&1) ||
  printf 'lint: paraglide compile or svelte-kit sync failed (svelte-check and eslint will fail too):\n%s\n' "$sync_out"

helm_check() {
  local helm=${CONCIERGE_CACHE:-$HOME/.cache/concierge}/bin/helm chart=infra/helm/concierge prod=infra/helm/values-production.yaml
  [ -x "$helm" ] || { echo "helm not found at $helm (bash infra/install.sh builds it)"; return 1; }
  "$helm" lint --strict "$chart" || return 1
  "$helm" lint --strict "$chart" -f "$prod" || return 1
  "$helm" template concierge "$chart" --kube-version 1.30.0 | python3 infra/helm/check-manifests.py "$chart/values.yaml" || return 1
  "$helm" template concierge "$chart" --kube-version 1.30.0 -f "$prod" | python3 infra/helm/check-manifests.py "$chart/values.yaml" "$prod" || return 1
  if python3 infra/helm/check-manifests.py <infra/helm/testdata/bad-manifests.yaml >/dev/null; then
    echo "check-manifests.py accepted infra/helm/testdata/bad-manifests.yaml"
    return 1
  fi
}

check shellcheck shellcheck -x infra/*.sh infra/prod/*.sh .ci/run
check typescript "$bin/tsc" -p tsconfig.json --noEmit --pretty false
check svelte-check:kiosk svelte_check kiosk
check svelte-check:console svelte_check console
check eslint "$bin/eslint" --max-warnings 0 .
check prettier "$bin/prettier" --check --log-level warn .
check helm helm_check

if ((failed)); then printf 'lint: failed: %s\n' "${failed_names[*]}"; fi
printf '\nlint: %d passed, %d failed\n' "$passed" "$failed"
if [ -n "${LINT_COUNTS:-}" ]; then printf '%d %d %s\n' "$passed" "$failed" "${failed_names[*]}" >"$LINT_COUNTS"; fi
((failed == 0))
