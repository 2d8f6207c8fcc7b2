import { createServer } from 'node:http';
import { createDb } from '../../core/db.js';
import { closeServer, runService } from '../../core/process/run-service.js';
import { createRedis } from '../../core/redis.js';
import { buildWaitingRoomApp } from './app.js';
import { attachLiveServer } from './live/socket-server.js';

await runService({
  name: 'waiting-room',
  start: (cfg, logger) => {
    const db = createDb(cfg);
    const redis = createRedis(cfg, 'command', 'rushline-waiting-room');
    const pub = createRedis(cfg, 'blocking', 'rushline-waiting-room-pub');
    const sub = createRedis(cfg, 'blocking', 'rushline-waiting-room-sub');
    const server = createServer(buildWaitingRoomApp({ cfg, logger, db, redis }));
    const io = attachLiveServer(server, { cfg, pub, sub });
    return {
      server,
      port: cfg.http.waitingRoomPort,
      close: async () => {
        // io.close() also closes the HTTP server and disconnects every socket, which then reconnect elsewhere.
        await new Promise<void>((resolve) => void io.close(() => resolve()));
        await closeServer(server);
        await Promise.allSettled([db.destroy(), redis.quit(), pub.quit(), sub.quit()]);
      },
    };
  },
});
