import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { userRoom, type ServerToClientEvents } from '../../../core/live-events.js';
import type { UserNotification } from '../../../core/notifications/notification-store.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { toRequestView, type RequestRow } from '../../../core/requests/request-store.js';
import type { RequestView } from '../../../core/requests/request-types.js';

/**
 * Tells each person what happened: `request:update` (and the outcome's `notification:new`, when it was
 * written with it) to their socket.io room through Redis (reaching whichever waiting-room process holds
 * their socket), and frees their place among the room's active users so the next person can be let in.
 * A whole batch's pushes and releases go out in one pipeline: the emitter only ever calls `publish`, so
 * it is handed a client that collects them.
 */
export class OutcomeReporter {
  private pending: [string, Buffer | string][] = [];
  private readonly emitter: Emitter<ServerToClientEvents>;
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
    const collector = {
      publish: (channel: string, msg: Buffer | string) => void this.pending.push([channel, msg]),
    };
    this.emitter = new Emitter<ServerToClientEvents>(collector, { key: this.keys.socketChannel });
  }

  async report(row: RequestRow, notification?: UserNotification): Promise<RequestView> {
    const [view] = await this.reportMany([row], notification ? [notification] : []);
    return view as RequestView;
  }

  async reportMany(
    rows: RequestRow[],
    notifications: readonly UserNotification[] = [],
  ): Promise<RequestView[]> {
    const views = rows.map(toRequestView);
    // Synchronous from here to the pipeline: nothing else can add to `pending` in between.
    rows.forEach((row, i) =>
      this.emitter.to(userRoom(row.user_id)).emit('request:update', views[i] as RequestView),
    );
    for (const n of notifications) this.emitter.to(userRoom(n.userId)).emit('notification:new', n.view);
    const pipe = this.redis.pipeline();
    for (const [channel, msg] of this.pending.splice(0)) pipe.publish(channel, msg);
    for (const row of rows) {
      // The person's request has its outcome: they stop counting against the room's maximum active.
      if (row.status !== 'queued' && row.room_id !== null)
        pipe.zrem(this.keys.room(row.room_id, 'active'), String(row.user_id));
    }
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0] as Error;
    return views;
  }
}
