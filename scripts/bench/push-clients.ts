import { io as connect, type Socket } from 'socket.io-client';
import { signAccessToken } from '../../core/auth/access-token.js';
import { loadConfig } from '../../core/config.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/live-events.js';
import { createRedis, waitForRedis } from '../../core/redis.js';

/**
 * A load-generator process for the `push` scenario: PUSH_COUNT real socket.io clients, each signed in
 * as its own user and watching the room. Each client keeps the highest serving number it has seen; for
 * every serving number k, once all of this process's clients have seen k or more, it reports when the
 * last one did. On request it reports how many ticks its clients have received in all.
 */
const cfg = loadConfig();
const url = process.env.PUSH_URL as string;
const roomId = Number(process.env.ROOM_ID);
const from = Number(process.env.USER_FROM);
const count = Number(process.env.PUSH_COUNT);
/** The benchmark's serving number when this process started: ticks before it don't concern it. */
const servingFrom = Number(process.env.PUSH_SERVING ?? 0);
const channel = `${cfg.redis.prefix}:bench:push`;
const redis = createRedis(cfg, 'blocking');
const listener = createRedis(cfg, 'blocking');
await waitForRedis(redis);

/** How many of this process's clients have seen serving number k or more. */
const reached = new Map<number, number>();
let received = 0;
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];

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
  let highest = Infinity; // nothing counts until the watch answer says where the room stands
  socket.on('room:tick', (t) => {
    received++;
    for (let k = highest + 1; k <= t.servingNumber; k++) {
      const n = (reached.get(k) ?? 0) + 1;
      reached.set(k, n);
      if (n === count) {
        reached.delete(k);
        void redis.publish(`${channel}:done`, JSON.stringify({ serving: k, n, lastAt: Date.now() }));
      }
    }
    highest = Math.max(highest, t.servingNumber);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const reply = await socket.timeout(30_000).emitWithAck('watch', { roomId });
  if (!reply.ok) throw new Error(reply.error.message);
  highest = Math.max(servingFrom, reply.status.servingNumber);
}

let next = 0;
let opened = 0;
try {
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < count) {
        await open(next++);
        opened++;
      }
    }),
  );
} catch (err: unknown) {
  // One line the scenario can report (socket.io's TransportError would otherwise dump whole objects).
  const kind = (e: Error) => ('type' in e && typeof e.type === 'string' ? e.type : e.name);
  const why = err instanceof Error ? `${kind(err)}: ${err.message}` : String(err);
  // socket.io-client keeps the underlying socket's error (e.g. ECONNRESET, EMFILE) in `description`.
  const d = err instanceof Error && 'description' in err ? err.description : undefined;
  const detail =
    typeof d === 'object' && d !== null && 'message' in d && typeof d.message === 'string'
      ? ` (${d.message})`
      : '';
  console.error(`fatal: ${opened} of ${count} clients connected, then ${why}${detail}`);
  process.exit(1);
}
await listener.subscribe(`${channel}:count`);
listener.on('message', () => void redis.publish(`${channel}:counted`, JSON.stringify({ received })));
console.log(JSON.stringify({ port: 0, msg: `push clients listening: ${count} watching` }));
process.once('SIGTERM', () => {
  for (const s of sockets) s.disconnect();
  redis.disconnect();
  listener.disconnect();
  process.exit(0);
});
