import { createServer } from 'node:http';
import { createDb } from '../../core/db.js';
import { closeServer, runService } from '../../core/process/run-service.js';
import { createRedis } from '../../core/redis.js';
import { buildWorkerHttpApp } from './app.js';

await runService({
  name: 'worker',
  start: (cfg, logger) => {
    const db = createDb(cfg);
    const redis = createRedis(cfg, 'blocking', 'rushline-worker');
    const server = createServer(buildWorkerHttpApp({ cfg, logger, db, redis }));
    return {
      server,
      port: cfg.http.workerPort,
      close: async () => {
        await closeServer(server);
        await Promise.allSettled([db.destroy(), redis.quit()]);
      },
    };
  },
});
