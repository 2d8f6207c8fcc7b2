import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadConfig } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { createLogger } from '../../core/logger.js';
import { roomChannel, userRoom } from '../../core/live-events.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { createWaitingRoom } from '../../waiting-room/src/waiting-room.js';

/**
 * The `push` scenario's server: a real waiting-room process (HTTP, socket.io, Redis adapter) whose
 * ticks are triggered by the benchmark over Redis pub/sub, so each can be measured alone: CPU time
 * and bytes for one broadcast per room (Rushline) or one personal message per waiting person
 * (the baseline).
 */
const cfg = loadConfig();
const logger = createLogger(cfg, 'push-server');
const db = createDb(cfg);
const redis = createRedis(cfg, 'blocking');
const pub = createRedis(cfg, 'blocking');
const sub = createRedis(cfg, 'blocking');
const control = createRedis(cfg, 'blocking');
await waitForRedis(redis);
const room = createWaitingRoom({ cfg, logger, db, redis, pub, sub });
const channel = `${cfg.redis.prefix}:bench:push`;

let bytes = 0;
room.io.on('connection', (socket) => {
  socket.conn.on('packetCreate', (packet: { data?: unknown }) => {
    if (typeof packet.data === 'string') bytes += Buffer.byteLength(packet.data);
    else if (Buffer.isBuffer(packet.data)) bytes += packet.data.length;
  });
});

interface TickCommand {
  mode: 'room' | 'personal';
  roomId: number;
  serving: number;
  users: number[];
}

await control.subscribe(`${channel}:tick`);
control.on('message', (_ch: string, raw: string) => {
  const cmd = JSON.parse(raw) as TickCommand;
  void (async () => {
    const before = bytes;
    const cpu0 = process.cpuUsage();
    const serverTime = new Date().toISOString();
    if (cmd.mode === 'room') {
      room.io.to(roomChannel(cmd.roomId)).emit('room:tick', {
        roomId: cmd.roomId,
        phase: 'open',
        paused: false,
        servingNumber: cmd.serving,
        admittedPerMin: 600,
        waiting: cmd.users.length,
        serverTime,
      });
    } else {
      // The baseline: the server works out and sends each waiting person's own position.
      for (const [i, userId] of cmd.users.entries()) {
        room.io.to(userRoom(userId)).emit('room:tick', {
          roomId: cmd.roomId,
          phase: 'open',
          paused: false,
          servingNumber: cmd.serving,
          admittedPerMin: 600,
          waiting: i + 1,
          serverTime,
        });
      }
    }
    // Let the writes queued by the emits run before reading the clock.
    await nextTurn();
    await nextTurn();
    const used = process.cpuUsage(cpu0);
    await redis.publish(
      `${channel}:result`,
      JSON.stringify({
        serving: cmd.serving,
        cpuMs: (used.user + used.system) / 1000,
        bytes: bytes - before,
        rssMb: process.memoryUsage().rss / 1e6,
      }),
    );
  })();
});

room.server.listen(0, '127.0.0.1', () => {
  const address = room.server.address();
  console.log(
    JSON.stringify({
      port: typeof address === 'object' && address ? address.port : 0,
      msg: 'push server listening',
    }),
  );
});
process.once('SIGTERM', () => {
  void room.close().then(() => {
    for (const c of [redis, pub, sub, control]) c.disconnect();
    void db.destroy();
  });
});
