import { createServer } from 'node:http';
import { createDb } from '../../core/db.js';
import { LivePublisher } from '../../core/live-publisher.js';
import { closeServer, runService } from '../../core/process/run-service.js';
import { CommitQueues } from '../../core/queues.js';
import { createRedis } from '../../core/redis.js';
import { buildWorkerHttpApp } from './app.js';
import { CommitWorkers } from './commit/commit-workers.js';
import { OutboxSweeper } from './commit/outbox-sweeper.js';
import { OutcomeReporter } from './commit/outcome-reporter.js';
import { RequestCommitter } from './commit/request-committer.js';
import { AfterPaymentQueue } from '../../core/payments/after-payment-queue.js';
import { createPaymentProvider } from '../../core/payments/create-payment-provider.js';
import { HoldExpiryQueue } from './reservations/hold-expiry-queue.js';
import { PaymentReconciler } from './reservations/payment-reconciler.js';
import { reservationBatchCommit } from './reservations/reservation-committer.js';
import { ReservationNotifier } from './reservations/reservation-notifier.js';
import { ReservationSweeper } from './reservations/reservation-sweeper.js';
import { ReservationWorkers } from './reservations/reservation-workers.js';

await runService({
  name: 'worker',
  start: async (cfg, logger) => {
    const db = createDb(cfg);
    // Blocking connection for BullMQ workers; a fail-fast one for everything else.
    const connection = createRedis(cfg, 'blocking', 'rushline-worker-bullmq');
    const redis = createRedis(cfg, 'blocking', 'rushline-worker');
    const reporter = new OutcomeReporter(redis, cfg.redis.prefix);
    const queues = new CommitQueues(redis, cfg.redis.prefix);
    const holdQueue = new HoldExpiryQueue(redis, cfg.redis.prefix);
    const afterPayment = new AfterPaymentQueue(redis, cfg.redis.prefix);
    const notifier = new ReservationNotifier(redis, cfg.redis.prefix, logger);
    const live = new LivePublisher(redis, cfg.redis.prefix, logger);
    const settlement = { db, logger, provider: createPaymentProvider(cfg, redis), afterPayment, live };
    const workers = new CommitWorkers(
      {
        db,
        connection,
        prefix: cfg.redis.prefix,
        committer: new RequestCommitter(db, logger, {
          reservation: reservationBatchCommit(holdQueue, logger, live),
        }),
        reporter,
        logger,
      },
      {
        concurrency: cfg.commit.concurrency,
        batchMax: cfg.commit.batchMax,
        lockDurationMs: cfg.commit.lockMs,
        roomScanMs: 10_000,
      },
    );
    const sweeper = new OutboxSweeper(db, queues, reporter, logger, {
      everyMs: cfg.commit.outboxSweepMs,
      graceMs: cfg.commit.outboxGraceMs,
    });
    const reservationWorkers = new ReservationWorkers(
      { db, connection, prefix: cfg.redis.prefix, notifier, logger },
      { concurrency: 16 },
    );
    const reservationSweeper = new ReservationSweeper(
      {
        db,
        reconciler: new PaymentReconciler(settlement, { graceMs: cfg.payments.reconcileGraceMs }),
        notifier,
        afterPayment,
        logger,
      },
      {
        everyMs: cfg.commit.outboxSweepMs,
        expiryGraceMs: cfg.commit.holdExpiryGraceMs,
        confirmGraceMs: cfg.commit.outboxGraceMs,
      },
    );
    await workers.start();
    reservationWorkers.start();
    sweeper.start();
    reservationSweeper.start();
    const server = createServer(
      buildWorkerHttpApp({
        cfg,
        logger,
        db,
        redis,
        healthDetails: () => ({
          commit: workers.getStats(),
          outbox: sweeper.stats,
          reservations: { jobs: reservationWorkers.stats, sweep: reservationSweeper.stats },
        }),
      }),
    );
    return {
      server,
      port: cfg.http.workerPort,
      close: async () => {
        await closeServer(server);
        await Promise.all([sweeper.stop(), reservationSweeper.stop()]);
        // Finishes the active jobs (and their batches) before the connections go.
        await Promise.all([workers.close(), reservationWorkers.close()]);
        await Promise.allSettled([queues.close(), holdQueue.close(), afterPayment.close()]);
        await Promise.allSettled([db.destroy(), redis.quit(), connection.quit()]);
      },
    };
  },
});
