import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { userRoom, type ServerToClientEvents } from '../../../core/live-events.js';
import { toReservationUpdate, type ReservationRow } from '../../../core/payments/reservation-store.js';
import { redisKeys } from '../../../core/redis-keys.js';

/**
 * Tells a person their reservation changed (`reservation:update` to their socket.io room), through
 * Redis on the same channel as the OutcomeReporter's request updates, so whichever waiting-room process
 * holds their socket delivers it.
 */
export class ReservationNotifier {
  private readonly emitter: Emitter<ServerToClientEvents>;

  constructor(redis: Redis, prefix: string) {
    this.emitter = new Emitter<ServerToClientEvents>(redis, { key: redisKeys(prefix).socketChannel });
  }

  notify(reservation: ReservationRow, seats: string[]): void {
    this.emitter
      .to(userRoom(reservation.user_id))
      .emit('reservation:update', toReservationUpdate(reservation, seats));
  }
}
