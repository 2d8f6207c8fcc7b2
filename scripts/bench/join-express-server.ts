import { loadConfig } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { createLogger } from '../../core/logger.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { createWaitingRoom } from '../../waiting-room/src/app.js';

/**
 * The `join` scenario's side-by-side process: a real waiting room whose joins go through express like
 * every other route (no raw join path in front), to measure what that path saves (ADR 011).
 */
const cfg = loadConfig();
const logger = createLogger(cfg, 'join-express-server');
const db = createDb(cfg);
const redis = createRedis(cfg, 'command');
const pub = createRedis(cfg, 'blocking');
const sub = createRedis(cfg, 'blocking');
await waitForRedis(redis);
const room = createWaitingRoom({ cfg, logger, db, redis, pub, sub, joinFastPath: false });
// Like main.ts, so both processes do the same background work while they are measured.
room.controller.start();
room.server.listen(0, '127.0.0.1', () => {
  const address = room.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ port, msg: 'join through express listening' }));
});
process.once('SIGTERM', () => {
  void room.close().finally(() => {
    void db.destroy();
    redis.disconnect();
    pub.disconnect();
    sub.disconnect();
  });
});
