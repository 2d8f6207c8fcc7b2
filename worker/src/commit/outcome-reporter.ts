import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { finishAdmission } from '../../../core/admission/admission-revocations.js';
import { userRoom, type ServerToClientEvents } from '../../../core/live-events.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { toRequestView, type RequestRow } from '../../../core/requests/request-store.js';
import type { RequestView } from '../../../core/requests/request-types.js';

/**
 * Tells each person what happened: `request:update` to their socket.io room through Redis (reaching
 * whichever waiting-room process holds their socket), and frees their place among the room's active
 * users so the next person can be let in.
 */
export class OutcomeReporter {
  private readonly emitter: Emitter<ServerToClientEvents>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.emitter = new Emitter<ServerToClientEvents>(redis, { key: redisKeys(prefix).socketChannel });
  }

  async report(row: RequestRow): Promise<RequestView> {
    const view = toRequestView(row);
    this.emitter.to(userRoom(row.user_id)).emit('request:update', view);
    if (row.status !== 'queued' && row.room_id !== null) {
      await finishAdmission(this.redis, this.prefix, row.room_id, row.user_id);
    }
    return view;
  }
}
