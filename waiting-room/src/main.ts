import { createDb, createReadDb } from '../../core/db.js';
import { runService } from '../../core/process/run-service.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { createWaitingRoom } from './app.js';

await runService({
  name: 'waiting-room',
  start: async (cfg, logger) => {
    const db = createDb(cfg);
    // DATABASE_READ_URL's replica for the public room list (ADR 022); without one it reads the primary.
    const readDb = createReadDb(cfg);
    const redis = createRedis(cfg, 'command', 'rushline-waiting-room');
    const pub = createRedis(cfg, 'blocking', 'rushline-waiting-room-pub');
    const sub = createRedis(cfg, 'blocking', 'rushline-waiting-room-sub');
    const room = createWaitingRoom({ cfg, logger, db, readDb, redis, pub, sub });
    // Listen once Redis answers (a cluster takes a moment to learn its slots and reach its masters), so
    // the first joins don't meet a connection still coming up; the first tick would only log an error.
    await waitForRedis(redis, 30_000).then(
      () => room.controller.start(),
      (err: unknown) => {
        logger.error({ err }, 'Redis not ready; admission starts when it is');
        redis.once('ready', () => room.controller.start());
      },
    );
    return {
      server: room.server,
      port: cfg.http.waitingRoomPort,
      close: async () => {
        await room.close();
        await Promise.allSettled([db.destroy(), readDb?.destroy(), redis.quit(), pub.quit(), sub.quit()]);
      },
    };
  },
});
