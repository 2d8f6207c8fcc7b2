import { IntakeLoad, INTAKE_PUBLISH_MS, publishIntake } from '../../core/admission/intake-load.js';
import { createDb, createReadDb } from '../../core/db.js';
import { PeriodicTask } from '../../core/process/periodic-task.js';
import { redisKeys } from '../../core/redis-keys.js';
import { closeServer } from '../../core/http/listen.js';
import { runService } from '../../core/process/run-service.js';
import { AfterPaymentQueue } from '../../core/reservations/after-payment-queue.js';
import { CommitQueues } from '../../core/queues.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { buildApiApp } from './app.js';
import { createHttpServer } from '../../core/http/http-server.js';

await runService({
  name: 'api',
  start: async (cfg, logger) => {
    const db = createDb(cfg);
    // DATABASE_READ_URL's replica for the catalogue (ADR 022); without one those reads use the primary.
    const readDb = createReadDb(cfg);
    const redis = createRedis(cfg, 'command', 'rushline-api');
    // Listen once Redis answers (a cluster first learns its slots and reaches its masters); past the wait
    // the api listens anyway and answers 503 on Redis paths until it is back.
    await waitForRedis(redis, 30_000).catch((err: unknown) => logger.error({ err }, 'Redis not ready'));
    const queues = new CommitQueues(redis, cfg.redis.prefix);
    const afterPayment = new AfterPaymentQueue(redis, cfg.redis.prefix);
    // What this process holds of the submissions, for the admission leaders' pace (ADR 012).
    const intake = new IntakeLoad();
    const intakeKey = redisKeys(cfg.redis.prefix).admissionIntake;
    const publishing = new PeriodicTask(
      'intake load',
      () => publishIntake(redis, intakeKey, intake),
      INTAKE_PUBLISH_MS,
      logger,
    );
    publishing.start();
    const server = createHttpServer(
      buildApiApp({ cfg, logger, db, readDb, redis, queues, afterPayment, intake }),
    );
    return {
      server,
      port: cfg.http.apiPort,
      close: async () => {
        await closeServer(server);
        await publishing.stop();
        await redis.hdel(intakeKey, intake.id).catch(() => undefined);
        await Promise.allSettled([queues.close(), afterPayment.close()]);
        await Promise.allSettled([db.destroy(), readDb?.destroy(), redis.quit()]);
      },
    };
  },
});
