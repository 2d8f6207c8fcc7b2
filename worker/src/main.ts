import { createDb } from '../../core/db.js';
import { closeServer } from '../../core/http/listen.js';
import { runService } from '../../core/process/run-service.js';
import { createRedis } from '../../core/redis.js';
import { buildWorkerApp } from './app.js';
import { createHttpServer } from '../../core/http/http-server.js';

await runService({
  name: 'worker',
  start: async (cfg, logger) => {
    const db = createDb(cfg);
    // Two blocking connections (both wait for Redis to come back rather than fail): BullMQ's workers
    // block on the first; commands (queues, outcome pushes, live news) go on the second, so they never
    // queue behind a blocking read.
    const connection = createRedis(cfg, 'blocking', 'rushline-worker-bullmq');
    const redis = createRedis(cfg, 'blocking', 'rushline-worker');
    const app = buildWorkerApp({ cfg, logger, db, redis, connection });
    await app.start();
    const server = createHttpServer(app.http);
    return {
      server,
      port: cfg.http.workerPort,
      close: async () => {
        await closeServer(server);
        await app.close();
        await Promise.allSettled([db.destroy(), redis.quit(), connection.quit()]);
      },
    };
  },
});
