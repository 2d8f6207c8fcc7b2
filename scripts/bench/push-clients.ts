import { io as connect, type Socket } from 'socket.io-client';
import { signAccessToken } from '../../core/auth/access-token.js';
import { loadConfig } from '../../core/config.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/live-events.js';
import { createRedis, waitForRedis } from '../../core/redis.js';

/**
 * A load-generator process for the `push` scenario: PUSH_COUNT real socket.io clients, each signed in
 * as its own user and watching the room. For every serving number it reports, once all of its clients
 * have seen it, how many did and when the last one did.
 */
const cfg = loadConfig();
const url = process.env.PUSH_URL as string;
const roomId = Number(process.env.ROOM_ID);
const from = Number(process.env.USER_FROM);
const count = Number(process.env.PUSH_COUNT);
const channel = `${cfg.redis.prefix}:bench:push`;
const redis = createRedis(cfg, 'blocking');
await waitForRedis(redis);

const seen = new Map<number, { n: number; lastAt: number }>();
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];

function onTick(serving: number): void {
  const s = seen.get(serving) ?? { n: 0, lastAt: 0 };
  s.n++;
  s.lastAt = Date.now();
  seen.set(serving, s);
  if (s.n === count)
    void redis.publish(`${channel}:done`, JSON.stringify({ serving, n: s.n, lastAt: s.lastAt }));
}

async function open(i: number): Promise<void> {
  const userId = from + i;
  const token = signAccessToken(cfg.auth, { id: userId, username: `push${userId}`, role: 'student' }).token;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  socket.on('room:tick', (t) => onTick(t.servingNumber));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const reply = await socket.timeout(30_000).emitWithAck('watch', { roomId });
  if (!reply.ok) throw new Error(reply.error.message);
}

let next = 0;
await Promise.all(
  Array.from({ length: 100 }, async () => {
    while (next < count) await open(next++);
  }),
);
console.log(JSON.stringify({ port: 0, msg: `push clients listening: ${count} watching` }));
process.once('SIGTERM', () => {
  for (const s of sockets) s.disconnect();
  redis.disconnect();
  process.exit(0);
});
