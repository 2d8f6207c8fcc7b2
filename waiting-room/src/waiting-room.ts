import { createServer, type RequestListener, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { countQueuedRequests } from '../../core/requests/request-store.js';
import { redisKeys } from '../../core/redis-keys.js';
import { closeServer } from '../../core/process/run-service.js';
import { AdmissionController } from './admission/admission-controller.js';
import { LeaderLease } from './admission/leader-lease.js';
import { buildWaitingRoomApp, waitingRoomHelmet } from './app.js';
import { createJoinFastPath } from './rooms/join-fast-path.js';
import { eventExistsIn } from './live/event-watch.js';
import { FiguresPublisher } from './live/figures-publisher.js';
import { LiveBroadcaster } from './live/live-broadcaster.js';
import { attachLiveServer, type LiveServer } from './live/socket-server.js';
import { tickGroupCount } from './live/tick-groups.js';
import { RoomQueue, type Phase } from './queue/room-queue.js';
import { OperatorService } from './rooms/operator-service.js';
import { RoomService, roomSettings } from './rooms/room-service.js';
import { listLiveRooms } from './rooms/room-store.js';

export interface WaitingRoomConnections {
  cfg: Config;
  logger: Logger;
  db: Knex;
  /** Commands (fail fast when Redis is away). */
  redis: Redis;
  /** The socket.io adapter's publisher and subscriber. */
  pub: Redis;
  sub: Redis;
}

export interface WaitingRoom {
  server: Server;
  io: LiveServer;
  /** Everything pushed to sockets (ticks to the group whose turn it is, room-wide and personal news). */
  live: LiveBroadcaster;
  controller: AdmissionController;
  queue: RoomQueue;
  close(): Promise<void>;
}

/** Wires one waiting-room process: HTTP app, socket.io, and its admission controller (leader or standby). */
export function createWaitingRoom(c: WaitingRoomConnections): WaitingRoom {
  const { cfg, logger, db, redis } = c;
  const queue = new RoomQueue(redis, cfg.redis.prefix);
  const rooms = new RoomService(db, queue);
  const server = createServer();
  // socket.io takes over only the request listeners present when it attaches, so the app's listener
  // must exist before; it is filled in below once the app (which needs the socket server) is built.
  const http: { app?: RequestListener } = {};
  const fastJoin = createJoinFastPath({ cfg, rooms, logger, helmet: waitingRoomHelmet(cfg) });
  server.on('request', (req, res) => {
    if (!fastJoin(req, res)) http.app?.(req, res);
  });
  // Each admission tick's room:tick goes to one of this many groups of a room's watchers (ADR 007).
  const tickGroups = tickGroupCount(cfg.admission);
  const io = attachLiveServer(server, {
    cfg,
    pub: c.pub,
    sub: c.sub,
    statusOf: (r, u) => rooms.status(r, u),
    tickGroups,
    eventExists: eventExistsIn(db),
    figuresOf: (roomId) => operators.liveFigures(roomId),
  });
  const live = new LiveBroadcaster(io, tickGroups);
  const operators = new OperatorService(db, redis, queue, cfg, live);
  const figures = new FiguresPublisher(
    io,
    redis,
    redisKeys(cfg.redis.prefix).prefix,
    (roomId) => operators.liveFigures(roomId),
    logger.child({ component: 'figures' }),
  );
  figures.start();

  const lease = new LeaderLease(
    redis,
    `${redisKeys(cfg.redis.prefix).prefix}:admission:leader`,
    Math.max(3_000, cfg.admission.tickMs * 6),
  );
  const controller = new AdmissionController(
    queue,
    lease,
    {
      syncRooms: async () => {
        const rows = await listLiveRooms(db);
        for (const row of rows) await queue.configure(row.id, roomSettings(row));
        return rows.map((r) => ({ id: r.id, tokenTtlS: r.token_ttl_s }));
      },
      signToken: (grant) => signAdmissionToken(cfg.admission, grant),
      broadcastTick: (tick, seq) => live.tick(tick, seq),
      announcePhase: (roomId, phase, paused) => live.phase(roomId, phase, paused),
      notifyAdmitted: (userId, msg) => live.admitted(userId, msg),
      persistPhase: (roomId, phase, paused, seed) => persistPhase(db, roomId, phase, paused, seed),
      commitBacklog: (roomId) => countQueuedRequests(db, roomId),
    },
    {
      tickMs: cfg.admission.tickMs,
      syncMs: cfg.admission.roomSyncMs,
      backlogLimit: cfg.admission.backlogLimit,
    },
    logger.child({ component: 'admission' }),
  );

  http.app = buildWaitingRoomApp({
    cfg,
    logger,
    db,
    redis,
    rooms,
    queue,
    operators,
    healthDetails: () => ({ admission: controller.getStats() }),
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    io,
    live,
    controller,
    queue,
    close: () =>
      (closing ??= (async () => {
        figures.stop();
        await controller.stop();
        // io.close() disconnects every socket (clients reconnect to another process) and closes the server.
        await new Promise<void>((resolve) => void io.close(() => resolve()));
        await closeServer(server);
      })()),
  };
}

async function persistPhase(
  db: Knex,
  roomId: number,
  phase: Phase,
  paused: boolean,
  seed: number | null,
): Promise<void> {
  await db('waiting_rooms')
    .where({ id: roomId })
    .update({
      state: paused && phase !== 'closed' ? 'paused' : phase,
      shuffle_seed: db.raw('COALESCE(shuffle_seed, ?)', [seed === null ? null : String(seed)]),
    });
}
