import { createServer } from 'node:http';
import { createDb } from '../../core/db.js';
import { closeServer, runService } from '../../core/process/run-service.js';
import { CommitQueues } from '../../core/queues.js';
import { createRedis } from '../../core/redis.js';
import { buildWorkerHttpApp } from './app.js';
import { CommitWorkers } from './commit/commit-workers.js';
import { OutboxSweeper } from './commit/outbox-sweeper.js';
import { OutcomeReporter } from './commit/outcome-reporter.js';
import { RequestCommitter } from './commit/request-committer.js';

await runService({
  name: 'worker',
  start: async (cfg, logger) => {
    const db = createDb(cfg);
    // Blocking connection for BullMQ workers; a fail-fast one for everything else.
    const connection = createRedis(cfg, 'blocking', 'rushline-worker-bullmq');
    const redis = createRedis(cfg, 'blocking', 'rushline-worker');
    const reporter = new OutcomeReporter(redis, cfg.redis.prefix);
    const queues = new CommitQueues(redis, cfg.redis.prefix);
    const workers = new CommitWorkers(
      {
        db,
        connection,
        prefix: cfg.redis.prefix,
        committer: new RequestCommitter(db, logger),
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
    await workers.start();
    sweeper.start();
    const server = createServer(
      buildWorkerHttpApp({
        cfg,
        logger,
        db,
        redis,
        healthDetails: () => ({ commit: workers.getStats(), outbox: sweeper.stats }),
      }),
    );
    return {
      server,
      port: cfg.http.workerPort,
      close: async () => {
        await closeServer(server);
        await sweeper.stop();
        // Finishes the active jobs (and their batches) before the connections go.
        await workers.close();
        await queues.close();
        await Promise.allSettled([db.destroy(), redis.quit(), connection.quit()]);
      },
    };
  },
});
