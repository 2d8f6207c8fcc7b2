#!/usr/bin/env bash
# The Redis-facing tests a second time, on a 3-master Redis Cluster on loopback (ADR 023): starts the
# cluster if needed (scripts/services.ts --redis-cluster; idempotent, left running for the next run like
# the single Redis) and points the run at it with REDIS_CLUSTER_NODES. scripts/test.sh runs it after the
# whole suite; alone: `bash scripts/test-cluster.sh [mocha files]`.
set -euo pipefail
cd "$(dirname "$0")/.."
export REDIS_CLUSTER_NODES="${REDIS_CLUSTER_NODES:-127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003}"

# The files, and what each one drives through the cluster. Chosen so that every Lua script, every BullMQ
# queue, the socket.io adapter and the rate limits run on it, in a few minutes.
files=(
  test/redis-cluster.test.ts                       # slots of every key family; a crowd in six rooms over the masters
  core/redis.test.ts                               # request-path commands auto-pipelined per node (ADR 027)
  waiting-room/src/rooms/join.test.ts              # JOIN, STATUS, RECEIPT scripts
  waiting-room/src/rooms/operator.test.ts          # CONFIGURE, OPERATOR_PHASE (pre-queue opening)
  waiting-room/src/admission/admission.test.ts     # PLAN_TICK, COMMIT_TICK, the admission lease's scripts
  waiting-room/src/live/room-figures.test.ts       # FIGURES and its once-a-second slot key
  test/admission-allowance.test.ts                 # the allowance scripts, FORFEIT_BUDGET, revocations (MULTI)
  worker/src/commit/commit-workers.test.ts         # per-room commit queues under the room's tag (BullMQ)
  worker/src/commit/outbox-sweeper.test.ts         # re-enqueueing and failed jobs of a room's queue
  worker/src/reservations/hold-expiry.test.ts      # the reservation-holds queue ({q:…} tag), delayed jobs
  core/reservations/after-payment-queue.test.ts    # the after-payment queue
  core/payments/simulated-payment-provider.test.ts # the payment simulator's CHARGE/REFUND scripts ({paysim})
  test/rate-limits.test.ts                         # rate-limiter-flexible's script per key (request limits)
  api/src/auth/auth.test.ts                        # sign-in throttling (three limiters)
  api/src/staff/lookup/staff-lookup.test.ts        # a pipeline per room (rooms sit on different masters)
  test/waiting-room-processes.test.ts              # two waiting-room processes over the socket.io Redis adapter
)
if [ "$#" -gt 0 ]; then files=("$@"); fi

echo "==> Redis Cluster ($REDIS_CLUSTER_NODES)"
npx tsx scripts/services.ts --redis-cluster
echo "==> Redis-facing tests on the cluster"
npx mocha "${files[@]}"
