import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from '../../../core/redis.js';
import { Server } from 'socket.io';
import { z } from 'zod';
import { verifyAccessToken } from '../../../core/auth/access-token.js';
import type { UserStanding } from '../../../core/auth/user-standing.js';
import type { Config } from '../../../core/config.js';
import { AppError } from '../../../core/errors.js';
import { userRoom, type RoomFiguresView, type RoomStatusView } from '../../../core/live-events.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { handleEventWatch } from './event-watch.js';
import { handleFiguresWatch } from './figures-watch.js';
import type { LiveServer } from './live-socket.js';
import { deliverLocally } from './personal-pushes.js';
import { joinRoomAndTickGroup, joinRoomWithoutTicks, leaveRoomAndTickGroup } from './tick-groups.js';

export type { LiveServer };

export interface LiveServerDeps {
  cfg: Pick<Config, 'auth' | 'redis'>;
  /** Two dedicated connections for the Redis adapter (a subscriber can't run other commands). */
  pub: Redis;
  sub: Redis;
  /** The person's current view of a room, sent on `watch` (and so on every reconnect). */
  statusOf?: (roomId: number, userId: number) => Promise<RoomStatusView>;
  /** How many tick groups a room's watchers are split into (tickGroupCount; 1 when left out). */
  tickGroups?: number;
  /** Whether an event exists, for `watch:event` (any id is accepted when left out). */
  eventExists?: (eventId: number) => Promise<boolean>;
  /** A room's figures for the staff console (`watch:figures`, staff only). */
  figuresOf?: (roomId: number) => Promise<RoomFiguresView>;
  /** Refuses handshakes of missing or deactivated accounts (core/auth/user-standing.ts). */
  standing?: UserStanding;
}

const watchMsg = z.object({ roomId: z.number().int().positive() });

/**
 * socket.io on the waiting room's HTTP server. Authenticated once at the handshake with the same
 * access token as the REST api; each socket joins `user:<id>` so any process (the worker included,
 * through the Redis adapter/emitter) can reach a person wherever their socket is connected, and
 * `room:<id>` for each room it watches (room-wide news), plus one of the room's tick groups, which hears
 * the periodic `room:tick` once every G admission ticks (ADR 007), and `event:<id>` for each event whose
 * seat map it follows (`watch:event`, event-watch.ts).
 */
export function attachLiveServer(httpServer: HttpServer, deps: LiveServerDeps): LiveServer {
  const io: LiveServer = new Server(httpServer, {
    serveClient: true,
    transports: ['websocket', 'polling'],
    adapter: createAdapter(deps.pub, deps.sub, { key: redisKeys(deps.cfg.redis.prefix).socketChannel }),
    // A reconnecting client (network drop) gets its rooms back without a new handshake round.
    connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: false },
  });
  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      next(handshakeError('UNAUTHENTICATED', 'Send auth: { token: <access token> }'));
      return;
    }
    const refuse = (err: unknown) =>
      next(
        err instanceof AppError
          ? handshakeError(err.code, err.message)
          : handshakeError('TOKEN_INVALID', 'Invalid token'),
      );
    try {
      const user = verifyAccessToken(deps.cfg.auth, token);
      // Missing and deactivated accounts are refused here as on the REST routes (no query per handshake).
      (deps.standing?.assertActive(user.id) ?? Promise.resolve()).then(() => {
        socket.data = { userId: user.id, username: user.username, role: user.role };
        next();
      }, refuse);
    } catch (err) {
      refuse(err);
    }
  });
  // Personal messages batched by another process (the admission leader, a worker): ours to deliver.
  io.on('personal:many', (pushes) => deliverLocally(io, pushes, deps.tickGroups ?? 1));
  io.on('connection', (socket) => {
    void socket.join(userRoom(socket.data.userId));
    socket.emit('hello', {
      userId: socket.data.userId,
      username: socket.data.username,
      serverTime: new Date().toISOString(),
    });
    socket.on('watch', (msg, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = watchMsg.safeParse(msg);
      if (!parsed.success || !deps.statusOf) {
        ack({
          ok: false,
          error: { code: 'VALIDATION_FAILED', message: 'watch needs { roomId: <positive integer> }' },
        });
        return;
      }
      const { roomId } = parsed.data;
      deps
        .statusOf(roomId, socket.data.userId)
        .then(async (status) => {
          // Someone let in needs the room's news, not its ticks (personal-pushes.ts).
          if (status.admitted) await joinRoomWithoutTicks(socket, roomId);
          else await joinRoomAndTickGroup(socket, roomId, deps.tickGroups ?? 1);
          ack({ ok: true, status });
        })
        .catch((err: unknown) => {
          const e = err instanceof AppError ? err : undefined;
          ack({
            ok: false,
            error: {
              code: e?.code ?? 'INTERNAL',
              message: e?.message ?? 'Could not read the room; try again',
            },
          });
        });
    });
    socket.on('unwatch', (msg) => {
      const parsed = watchMsg.safeParse(msg);
      if (parsed.success) leaveRoomAndTickGroup(socket, parsed.data.roomId);
    });
    handleEventWatch(socket, deps.eventExists);
    handleFiguresWatch(socket, deps.figuresOf);
  });
  return io;
}

/** socket.io hands `data` to the client's connect_error, so the client learns the code too. */
function handshakeError(code: string, message: string): Error & { data: { code: string; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}
