import type { Express } from 'express';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import { isReady } from '../../core/http/health.js';
import { metricsRoutes } from '../../core/metrics/metrics-route.js';
import { countSeatClaim } from '../../core/metrics/commit-metrics.js';
import { countQueueJobs } from '../../core/metrics/queue-metrics.js';
import { LivePublisher } from '../../core/live-publisher.js';
import type { Logger } from '../../core/logger.js';
import { createPaymentProvider } from '../../core/payments/create-payment-provider.js';
import type { PaymentProvider } from '../../core/payments/payment-provider.js';
import { redisFleetClaim } from '../../core/process/fleet-claim.js';
import { CommitQueues } from '../../core/queues.js';
import { redisKeys } from '../../core/redis-keys.js';
import { AfterPaymentQueue } from '../../core/reservations/after-payment-queue.js';
import { CommitWorkers } from './commit/commit-workers.js';
import { OutboxSweeper } from './commit/outbox-sweeper.js';
import { OutcomeReporter } from './commit/outcome-reporter.js';
import { RequestCommitter } from './commit/request-committer.js';
import { commitEnrollmentBatch } from './enrollments/enrollment-committer.js';
import { HoldExpiryQueue } from './reservations/hold-expiry-queue.js';
import { PaymentReconciler } from './reservations/payment-reconciler.js';
import { reservationCommitter } from './reservations/reservation-committer.js';
import { ReservationNotifier } from './reservations/reservation-notifier.js';
import { ReservationSweeper } from './reservations/reservation-sweeper.js';
import { ReservationWorkers } from './reservations/reservation-workers.js';

export interface WorkerDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  /** Commands: queues, outcome pushes, live news. */
  redis: Redis;
  /** A connection with maxRetriesPerRequest null: the BullMQ workers block on it. */
  connection: Redis;
  /** Built from the config when not given (tests may give their own). */
  payments?: PaymentProvider;
  /** How often to look for rooms (and so commit queues) created since start; 10 s unless given. */
  roomScanMs?: number;
}

export interface WorkerApp {
  /** The worker's small HTTP face: health and readiness for probes. main.ts listens on it. */
  http: Express;
  /** Starts the commit and reservation workers and the sweepers. */
  start(): Promise<void>;
  /**
   * Stops the sweepers, lets the workers finish their active jobs (batches included), closes the
   * queues it opened. The caller closes the connections it gave. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Builds the whole worker from its dependencies: the commit workers (one per room's queue) with their
 * committers, the reservation workers (hold expiry, after payment), the outbox and reservation sweepers,
 * and the payment reconciler. Never listens and opens no connection of its own, so a test can run it
 * in-process against the run's MySQL and Redis.
 */
export function buildWorkerApp({
  cfg,
  logger,
  db,
  redis,
  connection,
  payments,
  roomScanMs = 10_000,
}: WorkerDeps): WorkerApp {
  const prefix = cfg.redis.prefix;
  const reporter = new OutcomeReporter(redis, prefix);
  const queues = new CommitQueues(redis, prefix);
  const holdQueue = new HoldExpiryQueue(redis, prefix);
  const afterPayment = new AfterPaymentQueue(redis, prefix);
  const notifier = new ReservationNotifier(redis, prefix, logger);
  const live = new LivePublisher(redis, prefix, logger);
  const committer = new RequestCommitter(db, logger, {
    // Headroom of one full batch: a batch running beside this one rarely makes a late claim fail.
    enrollment: (trx, ids, now) =>
      commitEnrollmentBatch(trx, ids, now, { claimHeadroom: cfg.commit.batchMax, onClaim: countSeatClaim }),
    reservation: reservationCommitter({ holds: holdQueue, live, logger }),
  });
  const commitWorkers = new CommitWorkers(
    { db, connection, prefix, committer, reporter, logger },
    {
      concurrency: cfg.commit.concurrency,
      batchMax: cfg.commit.batchMax,
      batchesInFlight: cfg.commit.batchesInFlight,
      lockDurationMs: cfg.commit.lockMs,
      roomScanMs,
    },
  );
  // Sweeps run once per interval across every worker process, not once per process (ADR 024).
  const claim = redisFleetClaim(redis, redisKeys(prefix));
  const outboxSweeper = new OutboxSweeper(db, queues, reporter, logger, {
    claim,
    everyMs: cfg.commit.outboxSweepMs,
    graceMs: cfg.commit.outboxGraceMs,
  });
  const reservationWorkers = new ReservationWorkers(
    { db, connection, prefix, notifier, logger },
    { concurrency: 16 },
  );
  const settlement = {
    db,
    logger,
    provider: payments ?? createPaymentProvider(cfg, redis),
    afterPayment,
    live,
  };
  const reservationSweeper = new ReservationSweeper(
    {
      db,
      reconciler: new PaymentReconciler(settlement, { graceMs: cfg.payments.reconcileGraceMs }),
      notifier,
      afterPayment,
      logger,
    },
    {
      claim,
      everyMs: cfg.commit.outboxSweepMs,
      expiryGraceMs: cfg.commit.holdExpiryGraceMs,
      confirmGraceMs: cfg.commit.outboxGraceMs,
    },
  );

  // Counted at scrape time, at most once a second (ADR 016): the rooms' commit queues and the reservation queues.
  const uncountQueues = countQueueJobs(() => [
    ...commitWorkers.roomIds().map((roomId) => queues.queue(roomId)),
    holdQueue.bull,
    afterPayment.bull,
  ]);
  const readiness = { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() };
  const http = createHttpApp({
    service: 'worker',
    cfg,
    logger,
    readiness,
    healthDetails: () => ({
      commit: commitWorkers.getStats(),
      outbox: outboxSweeper.stats,
      reservations: { jobs: reservationWorkers.stats, sweep: reservationSweeper.stats },
    }),
    routes: (app) => {
      app.use(metricsRoutes({ app: 'worker', cfg, ready: () => isReady(readiness) }));
    },
  });

  let closing: Promise<void> | undefined;
  return {
    http,
    start: async () => {
      await commitWorkers.start();
      reservationWorkers.start();
      outboxSweeper.start();
      reservationSweeper.start();
    },
    close: () =>
      (closing ??= (async () => {
        uncountQueues();
        await Promise.all([outboxSweeper.stop(), reservationSweeper.stop()]);
        // Finishes the active jobs (and their batches) before the queues close.
        await Promise.all([commitWorkers.close(), reservationWorkers.close()]);
        await Promise.allSettled([queues.close(), holdQueue.close(), afterPayment.close()]);
      })()),
  };
}
