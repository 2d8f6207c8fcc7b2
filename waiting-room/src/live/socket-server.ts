import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { verifyAccessToken } from '../../../core/auth/access-token.js';
import type { Config } from '../../../core/config.js';
import { AppError } from '../../../core/errors.js';
import {
  userRoom,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '../../../core/live-events.js';
import { redisKeys } from '../../../core/redis-keys.js';

export type LiveServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

export interface LiveServerDeps {
  cfg: Pick<Config, 'auth' | 'redis'>;
  /** Two dedicated connections for the Redis adapter (a subscriber can't run other commands). */
  pub: Redis;
  sub: Redis;
}

/**
 * socket.io on the waiting room's HTTP server. Authenticated once at the handshake with the same
 * access token as the REST api; each socket joins `user:<id>` so any process (the worker included,
 * through the Redis adapter/emitter) can reach a person wherever their socket is connected.
 */
export function attachLiveServer(httpServer: HttpServer, deps: LiveServerDeps): LiveServer {
  const io: LiveServer = new Server(httpServer, {
    serveClient: false,
    transports: ['websocket', 'polling'],
    adapter: createAdapter(deps.pub, deps.sub, { key: redisKeys(deps.cfg.redis.prefix).socketChannel }),
  });
  io.use((socket, next) => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      next(handshakeError('UNAUTHENTICATED', 'Send auth: { token: <access token> }'));
      return;
    }
    try {
      const user = verifyAccessToken(deps.cfg.auth, token);
      socket.data = { userId: user.id, username: user.username, role: user.role };
      next();
    } catch (err) {
      next(
        err instanceof AppError
          ? handshakeError(err.code, err.message)
          : handshakeError('TOKEN_INVALID', 'Invalid token'),
      );
    }
  });
  io.on('connection', (socket) => {
    void socket.join(userRoom(socket.data.userId));
    socket.emit('hello', {
      userId: socket.data.userId,
      username: socket.data.username,
      serverTime: new Date().toISOString(),
    });
  });
  return io;
}

/** socket.io hands `data` to the client's connect_error, so the client learns the code too. */
function handshakeError(code: string, message: string): Error & { data: { code: string; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}
