import type { Server as HttpServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import type { Config } from '../../core/config.js';
import { userRoom, type ServerToClientEvents } from '../../core/live-events.js';
import { deliverLocally } from '../../waiting-room/src/live/personal-pushes.js';
import type { LiveServer } from '../../waiting-room/src/live/socket-server.js';
import { createRedis, waitForRedis, type Redis } from '../../core/redis.js';
import { redisKeys } from '../../core/redis-keys.js';
import type { RequestView } from '../../core/requests/request-types.js';
import { listenOnFreePort } from './listen.js';

/**
 * Hears what the worker pushes to people through Redis (`request:update` to `user:<id>`), without the
 * waiting room: a bare socket.io server on the run's adapter channel, and one client that the server
 * puts in the `user:<id>` room of every id it names (tests only: no authentication). One socket for
 * all of them, so their updates arrive in the order they were published.
 */
export class UserUpdates {
  readonly updates: RequestView[] = [];

  private constructor(
    private readonly io: LiveServer,
    private readonly http: HttpServer,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly client: Socket<ServerToClientEvents>,
  ) {
    client.on('request:update', (u) => this.updates.push(u));
  }

  static async listen(cfg: Pick<Config, 'redis'>, userIds: number[]): Promise<UserUpdates> {
    const pub = createRedis(cfg);
    const sub = createRedis(cfg, 'blocking');
    await Promise.all([waitForRedis(pub), waitForRedis(sub)]);
    const io: LiveServer = new Server({
      adapter: createAdapter(pub, sub, { key: redisKeys(cfg.redis.prefix).socketChannel }),
    });
    // The worker sends a batch's updates as one server-side event, as the waiting room receives them.
    io.on('personal:many', (pushes) => deliverLocally(io, pushes, 1));
    io.on('connection', (socket) => {
      const ids = (socket.handshake.auth as { userIds: number[] }).userIds;
      void socket.join(ids.map(userRoom));
    });
    // The adapter subscribes without waiting for Redis; a connection's commands are answered in order,
    // so once this PING is answered the subscription is in place.
    await sub.ping();
    const { server, url } = await listenOnFreePort((_req, res) => res.writeHead(404).end());
    io.attach(server);
    const client: Socket<ServerToClientEvents> = connect(url, {
      auth: { userIds },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const updates = new UserUpdates(io, server, pub, sub, client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', reject);
    });
    return updates;
  }

  /** Resolves once `count` updates have arrived; rejects after `timeoutMs` naming what did. */
  async untilCount(count: number, timeoutMs = 5_000): Promise<RequestView[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.updates.length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `heard ${this.updates.length} of ${count} request:update: ${JSON.stringify(this.updates)}`,
        );
      }
      await sleep(20);
    }
    return this.updates;
  }

  async close(): Promise<void> {
    this.client.disconnect();
    await new Promise<void>((resolve) => void this.io.close(() => resolve()));
    if (this.http.listening) await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.pub.disconnect();
    this.sub.disconnect();
  }
}
