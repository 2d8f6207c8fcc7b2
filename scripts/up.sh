#!/usr/bin/env bash
# Sets everything up on a fresh machine and starts Rushline: Node (scripts/lib/ensure-node.sh), npm
# packages, MySQL and Redis (installed and started when missing), migrations, demo data on an empty
# database, the build, then the api, waiting room and worker in the background. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-node.sh
source scripts/lib/ensure-node-deps.sh
source scripts/lib/ensure-nginx.sh

ensure_node
ensure_node_deps
ensure_nginx
echo "==> services"
npx tsx scripts/services.ts
echo "==> migrations"
npx tsx scripts/migrate.ts
echo "==> demo data"
npx tsx scripts/seed.ts --if-empty
echo "==> build"
npm run --silent build
echo "==> starting Rushline"
npx tsx scripts/apps.ts start "$@"
echo "==> the demo's waiting rooms (npm run demo schedules them again)"
npx tsx scripts/demo.ts || echo "(no demo rooms here)"
