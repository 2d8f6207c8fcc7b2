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

ensure_node
ensure_node_deps
ensure_nginx
ensure_chromium
echo "==> services"
npx tsx scripts/services.ts
echo "==> lint"
npm run --silent lint
npm run --silent check:cycles
echo "==> typecheck"
npm run --silent typecheck
echo "==> web build (the browser tests drive the built app through the gateway)"
npm run --silent build:web
echo "==> tests"
if [ "$#" -eq 0 ]; then
  set -- '{core,api,waiting-room,worker,scripts,migrations,test}/**/*.test.ts'
fi
npx mocha "$@"
