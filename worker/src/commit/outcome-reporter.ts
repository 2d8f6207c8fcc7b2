import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from '../../../core/redis.js';
import { sendPersonal } from '../../../core/live-publisher.js';
import type { PersonalPush, ServerToClientEvents } from '../../../core/live-events.js';
import type { UserNotification } from '../../../core/notifications/notification-store.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { toRequestView, type RequestRow } from '../../../core/requests/request-store.js';
import type { RequestView } from '../../../core/requests/request-types.js';

/**
 * Tells each person what happened: `request:update` (and the outcome's `notification:new`, when it was
 * written with it) through Redis to whichever waiting-room process holds their socket. A whole batch's
 * pushes are one message (ADR 018) and go out in one pipeline: the emitter only ever calls `publish`, so
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

  /** `reqIdOf`: the HTTP request id behind a request row, carried in its push (ADR 016). */
  async reportMany(
    rows: RequestRow[],
    notifications: readonly UserNotification[] = [],
    reqIdOf?: (requestId: number) => string | undefined,
  ): Promise<RequestView[]> {
    const views = rows.map(toRequestView);
    // Synchronous from here to the pipeline: nothing else can add to `pending` in between.
    const pushes: PersonalPush[] = rows.map((row, i) => ({
      userId: row.user_id,
      event: 'request:update',
      data: views[i] as RequestView,
      reqId: reqIdOf?.(row.id),
    }));
    for (const n of notifications) pushes.push({ userId: n.userId, event: 'notification:new', data: n.view });
    sendPersonal(this.emitter, pushes);
    const pipe = this.redis.pipeline();
    for (const [channel, msg] of this.pending.splice(0)) pipe.publish(channel, msg);
    // An outcome does not free the person's place among the room's active users: their admission may
    // still allow a correction or another attempt. The api frees it when the allowance is spent, the
    // admission leader when it expires (ADR 015).
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0] as Error;
    return views;
  }
}
