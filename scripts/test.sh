#!/usr/bin/env bash
# Runs the whole test suite on any machine: installs what is missing (Node included), makes sure MySQL
# and Redis answer, then lint (import cycles included), typecheck and the mocha suite (each run in its own
# database and Redis prefix).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-node.sh
source scripts/lib/ensure-node-deps.sh
source scripts/lib/ensure-nginx.sh
source scripts/lib/ensure-chromium.sh
source scripts/lib/ensure-prometheus.sh
source scripts/lib/ensure-kubectl.sh

ensure_node
ensure_node_deps
ensure_nginx
ensure_chromium
ensure_prometheus
ensure_kubectl
echo "==> services (with the read replica test/read-replica.test.ts needs: ADR 022)"
npx tsx scripts/services.ts --replica
echo "==> lint"
npm run --silent lint
npm run --silent check:cycles
echo "==> typecheck"
npm run --silent typecheck
echo "==> web build (the browser tests drive the built app through the gateway)"
npm run --silent build:web
echo "==> tests (with coverage: .c8rc.json; child processes the tests spawn are counted through NODE_V8_COVERAGE)"
coverage_check=()
if [ "$#" -eq 0 ]; then
  set -- '{core,api,waiting-room,worker,scripts,migrations,test}/**/*.test.ts'
  # Only the whole suite is held to the threshold: a few files alone cover a few modules.
  coverage_check=(--check-coverage)
fi
npx c8 "${coverage_check[@]}" mocha "$@"
# After the whole suite, its Redis-facing files again on a 3-master Redis Cluster (ADR 023).
if [ "${#coverage_check[@]}" -gt 0 ]; then
  bash scripts/test-cluster.sh
fi
