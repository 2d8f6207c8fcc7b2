import type { RequestListener, Server } from 'node:http';
import path from 'node:path';
import express, { type Express } from 'express';
import type { HelmetOptions } from 'helmet';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import { readIntake } from '../../core/admission/intake-load.js';
import { requireAuth, requireRole } from '../../core/auth/require-auth.js';
import { UserStanding } from '../../core/auth/user-standing.js';
import { loadUserStanding } from '../../core/auth/user-standing-store.js';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import { isReady } from '../../core/http/health.js';
import { countSockets, reportLiveUpdate } from '../../core/metrics/live-metrics.js';
import { metricsRoutes } from '../../core/metrics/metrics-route.js';
import { authenticatedAndLimited, limitPerAddress, RateLimits } from '../../core/http/rate-limit.js';
import type { Logger } from '../../core/logger.js';
import { closeServer } from '../../core/http/listen.js';
import { redisKeys } from '../../core/redis-keys.js';
import { countQueuedRequestsByRoom } from '../../core/requests/request-store.js';
import { AdmissionController } from './admission/admission-controller.js';
import { InventoryGate } from './admission/inventory.js';
import { inventoryLeft } from './admission/inventory-read-model.js';
import { RoomLeases } from './admission/room-leases.js';
import {
  PACE_CUT_INTERVAL_MS,
  PACE_DECREASE_FACTOR,
  PACE_STEP_SHARE_OF_PACE,
} from './admission/adaptive-pace.js';
import { eventExistsIn } from './live/event-watch.js';
import { FiguresPublisher } from './live/figures-publisher.js';
import { LiveBroadcaster } from './live/live-broadcaster.js';
import { cpuCounters, HostIdleMeter, type HostCpuTimes } from './live/cpu-counters.js';
import { HostLiveCadence } from './live/live-cadence.js';
import { socketCensus } from './live/socket-census.js';
import { attachLiveServer, type LiveServer } from './live/socket-server.js';
import { tickGroupCount } from './live/tick-groups.js';
import { roomPageRoutes } from './page/room-page-routes.js';
import { RoomQueue } from './queue/room-queue.js';
import { receiptRoutes } from './receipt/receipt-routes.js';
import { createJoinFastPath } from './rooms/join-fast-path.js';
import { OperatorService } from './rooms/operator-service.js';
import { operatorRoutes } from './rooms/operator-routes.js';
import { roomRoutes } from './rooms/room-routes.js';
import { waitingRoomOpenApiRoutes } from './openapi/waiting-room-document.js';
import { RoomService, roomSettings } from './rooms/room-service.js';
import { recentDelivery } from './rooms/room-outcomes.js';
import { listLiveRooms, savePhase } from './rooms/room-store.js';
import { createHttpServer } from '../../core/http/http-server.js';

export interface WaitingRoomDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  /**
   * The public room list's reads, which may lag the primary by a moment (ADR 022): a replica's pool, or
   * `db` when there is none. Joining, admission and room definitions the leader acts on stay on `db`.
   */
  readDb?: Knex;
  /** Commands (fail fast when Redis is away). */
  redis: Redis;
  /** The socket.io adapter's publisher and subscriber. */
  pub: Redis;
  sub: Redis;
  /**
   * false: POST /rooms/:roomId/join goes through express like every other route, without the raw join
   * path in front (ADR 011). For the join benchmark's side-by-side figure and the tests of that route.
   */
  joinFastPath?: boolean;
  /**
   * The CPU counters the live cadence and the admission pace sample (default: the node's and the
   * container's quota, if any); tests feed a host out of CPU.
   */
  hostCpu?: () => readonly HostCpuTimes[];
}

export interface WaitingRoom {
  /** Not listening yet: main.ts (or a test) listens. */
  server: Server;
  io: LiveServer;
  /** Everything pushed to sockets (ticks to the group whose turn it is, room-wide and personal news). */
  live: LiveBroadcaster;
  /** Not started: main.ts starts it once Redis answers; tests may step it by hand instead. */
  controller: AdmissionController;
  /** How often each watcher hears the rooms this process leads, stretched while the pipeline needs the CPU. */
  cadence: HostLiveCadence;
  queue: RoomQueue;
  /** The express app behind the raw join path: its router lists every route (the hostile-input suite). */
  app: Express;
  /** Stops admission and the figures, disconnects sockets, closes the server; the connections stay open. */
  close(): Promise<void>;
}

/** How often the admission pace's view of the host's idle CPU is refreshed. */
const HOST_IDLE_SAMPLE_MS = 500;
const publicDir = path.resolve(import.meta.dirname, '..', 'public');

/**
 * Builds one waiting-room process from its connections: the HTTP server (the raw join path, then the
 * express app), socket.io beside it, and the admission controller (leader or standby). Never listens.
 */
export function createWaitingRoom(deps: WaitingRoomDeps): WaitingRoom {
  const { cfg, logger, db, redis } = deps;
  const readDb = deps.readDb ?? db;
  const keys = redisKeys(cfg.redis.prefix);
  const queue = new RoomQueue(redis, cfg.redis.prefix);
  const rooms = new RoomService(db, queue);
  const helmet = waitingRoomHelmet(cfg);
  // Per user on join, status and watch; per address on the public room list (ADR 014).
  const limits = new RateLimits(redis, keys, cfg.rateLimits);
  // Tokens of missing or deactivated accounts end at the edge (a per-process snapshot, no query per request).
  const standing = cfg.auth.accountCheck ? new UserStanding(() => loadUserStanding(db)) : undefined;

  const server = createHttpServer();
  // socket.io takes over only the request listeners present when it attaches, so the app's listener
  // must exist before; it is filled in below once the app (which needs the socket server) is built.
  const http: { app?: RequestListener } = {};
  const fastJoin =
    deps.joinFastPath === false
      ? () => false
      : createJoinFastPath({
          cfg,
          rooms,
          logger,
          helmet,
          standing,
          limit: (userId) => limits.take('join', userId),
        });
  server.on('request', (req, res) => {
    if (!fastJoin(req, res)) http.app?.(req, res);
  });

  // Each admission tick's room:tick goes to one of this many groups of a room's watchers (ADR 007).
  const tickGroups = tickGroupCount(cfg.admission);
  const io = attachLiveServer(server, {
    cfg,
    pub: deps.pub,
    sub: deps.sub,
    statusOf: async (r, u) => {
      await limits.take('watch', u);
      return rooms.status(r, u);
    },
    tickGroups,
    eventExists: eventExistsIn(db),
    figuresOf: (roomId) => operators.liveFigures(roomId),
    standing,
  });
  // Each group hears the room every liveUpdateMs, up to liveUpdateMaxMs while the host's CPU is spent.
  const cadence = new HostLiveCadence(cfg.admission, deps.hostCpu ?? cpuCounters, (change) =>
    logger.info(
      {
        liveUpdateMs: change.intervalMs,
        hostIdle: Math.round(change.idleShare * 100) / 100,
        workWaiting: change.workWaiting,
      },
      'live update interval changed',
    ),
  );
  // The pace reads it every tick; a sample every half second keeps it within a tick or two of the host.
  const hostIdle = new HostIdleMeter(deps.hostCpu ?? cpuCounters, HOST_IDLE_SAMPLE_MS);
  const live = new LiveBroadcaster(io, tickGroups, cadence);
  const unreportLiveUpdate = reportLiveUpdate(() => cadence.intervalMs() / 1_000);
  const uncountSockets = countSockets(socketCensus(io));
  const operators = new OperatorService(db, redis, queue, cfg, live);
  const figures = new FiguresPublisher(
    io,
    redis,
    (roomId, slot) => keys.figuresSlot(roomId, slot),
    (roomId) => operators.liveFigures(roomId),
    logger.child({ component: 'figures' }),
  );
  figures.start();

  const inventory = new InventoryGate({
    inventoryLeft: (roomId) => inventoryLeft(db, roomId),
    flag: queue,
    announce: (msg) => live.soldOut(msg),
  });
  const controller = new AdmissionController(
    queue,
    new RoomLeases(
      redis,
      { fleet: keys.admissionFleet, lease: (roomId) => keys.room(roomId, 'leader') },
      Math.max(3_000, cfg.admission.tickMs * 6),
    ),
    {
      syncRooms: async () => {
        const rows = await listLiveRooms(db);
        for (const row of rows) await queue.configure(row.id, roomSettings(row));
        return rows.map((r) => ({
          id: r.id,
          tokenTtlS: r.token_ttl_s,
          ratePerMin: r.admission_rate_per_min,
          admissionMode: r.admission_mode,
        }));
      },
      signToken: (grant) => signAdmissionToken(cfg.admission, grant),
      broadcastTick: (tick, seq) => live.tick(tick, seq),
      announcePhase: (roomId, phase, paused) => live.phase(roomId, phase, paused),
      notifyAdmitted: (grants) => live.admitted(grants),
      persistPhase: (roomId, phase, paused, seed) => savePhase(db, roomId, phase, paused, seed),
      commitBacklogs: (roomIds) => countQueuedRequestsByRoom(db, roomIds),
      recentDelivery: (roomId, windowMs) => recentDelivery(db, roomId, windowMs),
      intakeLoad: () => readIntake(redis, keys.admissionIntake),
      soldOut: (roomId, plan) => inventory.soldOut(roomId, plan),
      workWaiting: (seen, nowMs) => cadence.noteWork(seen, nowMs),
      hostIdleShare: (nowMs) => hostIdle.read(nowMs).share,
    },
    {
      tickMs: cfg.admission.tickMs,
      syncMs: cfg.admission.roomSyncMs,
      backlogLimit: cfg.admission.backlogLimit,
      pace: {
        ...cfg.admission.pace,
        increaseShareOfPacePerS: PACE_STEP_SHARE_OF_PACE,
        decreaseFactor: PACE_DECREASE_FACTOR,
        cutIntervalMs: PACE_CUT_INTERVAL_MS,
      },
    },
    logger.child({ component: 'admission' }),
  );

  const authenticated = requireAuth(cfg, standing);
  const readiness = { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() };
  const app = createHttpApp({
    service: 'waiting-room',
    cfg,
    logger,
    readiness,
    healthDetails: () => ({ admission: controller.getStats() }),
    helmet,
    routes: (app: Express) => {
      app.use(metricsRoutes({ app: 'waiting-room', cfg, ready: () => isReady(readiness) }));
      app.use('/rooms/assets', express.static(publicDir, { maxAge: '5m', index: false }));
      app.use('/rooms', waitingRoomOpenApiRoutes());
      app.use('/rooms', roomPageRoutes(publicDir, cfg.http.apiPublicUrl));
      // A middleware, not a route: the list itself stays the router's one GET /rooms.
      app.use(
        '/rooms',
        limitPerAddress(limits, 'rooms', (req) => req.path === '/' && ['GET', 'HEAD'].includes(req.method)),
      );
      app.use(
        '/rooms',
        roomRoutes(
          readDb,
          db,
          rooms,
          // The router's signed-in routes are join (POST) and status (GET).
          authenticatedAndLimited(authenticated, limits, (req) =>
            req.method === 'POST' ? 'join' : 'status',
          ),
        ),
      );
      app.use('/rooms', receiptRoutes(db, queue, authenticated));
      app.use('/operator/rooms', authenticated, requireRole('staff'), operatorRoutes(operators));
    },
  });
  http.app = app;

  let closing: Promise<void> | undefined;
  return {
    server,
    io,
    live,
    controller,
    cadence,
    queue,
    app,
    close: () =>
      (closing ??= (async () => {
        figures.stop();
        uncountSockets();
        unreportLiveUpdate();
        await controller.stop();
        // io.close() disconnects every socket (clients reconnect to another process) and closes the server.
        await new Promise<void>((resolve) => void io.close(() => resolve()));
        await closeServer(server);
      })()),
  };
}

/**
 * Lets the page call the api and open its socket. One set of options for the express app and the raw
 * join path, so both send the same security headers.
 */
function waitingRoomHelmet(cfg: Pick<Config, 'http'>): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        'connect-src': ["'self'", ...(cfg.http.apiPublicUrl ? [cfg.http.apiPublicUrl] : []), 'ws:', 'wss:'],
        // Behind plain http (a LAN demo) this would make the browser fetch the page's script over https.
        'upgrade-insecure-requests': cfg.http.apiPublicUrl.startsWith('https:') ? [] : null,
      },
    },
  };
}
