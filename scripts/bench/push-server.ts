import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadConfig } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { createLogger } from '../../core/logger.js';
import { userRoom, type RoomTick } from '../../core/live-events.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { createWaitingRoom } from '../../waiting-room/src/app.js';

/**
 * The `push` scenario's server: a real waiting-room process (HTTP, socket.io, Redis adapter) whose
 * ticks are triggered by the benchmark over Redis pub/sub, so each can be measured alone: CPU time,
 * bytes and sockets written for Rushline's tick (the waiting room's own broadcaster: one tick group of
 * the room in turn) or for one personal message per waiting person (the baseline).
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

export interface TickCommand {
  mode: 'room' | 'personal';
  roomId: number;
  /** The room's tick sequence number (whose group's turn it is). */
  seq: number;
  serving: number;
  /** The waiting people are users usersFrom … usersFrom + waiting − 1. */
  usersFrom: number;
  waiting: number;
}

export interface TickResult {
  seq: number;
  serving: number;
  emittedAt: number;
  cpuMs: number;
  bytes: number;
  /** Sockets written to by this tick: the messages it delivered. */
  recipients: number;
  rssMb: number;
  tickGroups: number;
}

/**
 * Bytes written so far to each client's TCP socket (the upgrade request's socket carries the websocket).
 * Read outside the measured window, so counting costs neither side anything.
 */
function bytesPerSocket(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, socket] of room.io.of('/').sockets) out.set(id, socket.request.socket.bytesWritten);
  return out;
}

await control.subscribe(`${channel}:tick`);
control.on('message', (_ch: string, raw: string) => {
  const cmd = JSON.parse(raw) as TickCommand;
  void (async () => {
    const before = bytesPerSocket();
    const serverTime = new Date().toISOString();
    const tick = (waiting: number): RoomTick => ({
      roomId: cmd.roomId,
      phase: 'open',
      paused: false,
      servingNumber: cmd.serving,
      admittedPerMin: 600,
      waiting,
      serverTime,
    });
    const emittedAt = Date.now();
    const cpu0 = process.cpuUsage();
    if (cmd.mode === 'room') {
      // What the admission controller does each tick: the room's state to the group whose turn it is.
      room.live.tick(tick(cmd.waiting), cmd.seq);
    } else {
      // The baseline: the server works out and sends each waiting person's own position.
      for (let i = 0; i < cmd.waiting; i++)
        room.io.to(userRoom(cmd.usersFrom + i)).emit('room:tick', tick(i + 1));
    }
    // Let the writes queued by the emits run before reading the clock.
    await nextTurn();
    await nextTurn();
    const used = process.cpuUsage(cpu0);
    let bytes = 0;
    let recipients = 0;
    for (const [id, written] of bytesPerSocket()) {
      const delta = written - (before.get(id) ?? written);
      bytes += delta;
      if (delta > 0) recipients++;
    }
    const result: TickResult = {
      seq: cmd.seq,
      serving: cmd.serving,
      emittedAt,
      cpuMs: (used.user + used.system) / 1000,
      bytes,
      recipients,
      rssMb: process.memoryUsage().rss / 1e6,
      tickGroups: room.live.tickGroups,
    };
    await redis.publish(`${channel}:result`, JSON.stringify(result));
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
