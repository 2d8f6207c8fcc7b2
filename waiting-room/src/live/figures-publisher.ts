import type { Redis } from '../../../core/redis.js';
import type { Logger } from '../../../core/logger.js';
import { countPush } from '../../../core/metrics/live-metrics.js';
import { figuresChannel, type RoomFiguresView } from '../../../core/live-events.js';
import type { LiveServer } from './socket-server.js';

const CHANNEL_PREFIX = figuresChannel(0).replace(/0$/, '');

/**
 * Pushes `room:figures` about once a second to each room somebody watches (`watch:figures`).
 *
 * Every process looks at its OWN sockets only (the adapter's local rooms: no Redis round trip), so a room
 * nobody watches costs nothing. The processes with watchers of a room race for a per-room, per-second Redis
 * key (SET NX); the one that wins computes the figures and emits them through the Redis adapter to every
 * watcher in the fleet, so they are computed once per room per second whatever the number of processes
 * (clocks more than a second apart could compute twice in a second; harmless).
 */
export class FiguresPublisher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly io: LiveServer,
    private readonly redis: Redis,
    /** The key a process must take (SET NX) to compute a room's figures in a given second. */
    private readonly slotKey: (roomId: number, slot: number) => string,
    private readonly figuresOf: (roomId: number) => Promise<RoomFiguresView>,
    private readonly logger: Logger,
    private readonly periodMs = 1_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Rooms with a watcher connected to this process. */
  watchedHere(): number[] {
    const ids: number[] = [];
    for (const [name, sockets] of this.io.of('/').adapter.rooms) {
      if (sockets.size > 0 && name.startsWith(CHANNEL_PREFIX)) {
        const id = Number(name.slice(CHANNEL_PREFIX.length));
        if (Number.isInteger(id) && id > 0) ids.push(id);
      }
    }
    return ids;
  }

  async tick(): Promise<void> {
    if (this.running) return; // a slow database: skip a beat rather than pile up
    this.running = true;
    try {
      const slot = Math.floor(Date.now() / this.periodMs);
      await Promise.all(
        this.watchedHere().map(async (roomId) => {
          const won = await this.redis.set(this.slotKey(roomId, slot), '1', 'PX', this.periodMs * 3, 'NX');
          if (won !== 'OK') return;
          const figures = await this.figuresOf(roomId);
          this.io.to(figuresChannel(roomId)).emit('room:figures', figures);
          countPush('room:figures');
        }),
      );
    } catch (err) {
      this.logger.warn({ err }, 'room figures not pushed this second');
    } finally {
      this.running = false;
    }
  }
}
