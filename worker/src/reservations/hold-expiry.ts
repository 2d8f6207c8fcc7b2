import type { Knex } from 'knex';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import type { ReservationChange } from '../../../core/live-publisher.js';
import { insertNotification } from '../../../core/notifications/notification-store.js';
import { reservationNotification } from '../../../core/notifications/reservation-notification.js';
import {
  findReservation,
  lockReservation,
  releaseReservation,
  type ReservationRow,
} from '../../../core/reservations/reservation-store.js';

export type ExpiryResult =
  | { kind: 'expired'; reservation: ReservationRow; seats: string[]; change: ReservationChange }
  /** Still held but not due yet (a job that ran early): try again at `dueAt`. */
  | { kind: 'not-due'; dueAt: Date }
  /** Paid, cancelled, already expired or gone: nothing to do. */
  | { kind: 'not-held' };

/**
 * Releases a hold that ran out, exactly once however many workers, jobs and sweeps try at the same
 * time: the reservation row is locked and only a reservation still `held` and past `hold_expires_at`
 * changes (to `expired`, its seats back to free, audited, its owner's notification written); every
 * other attempt finds it no longer held. The caller pushes `change` once this has committed.
 *
 * `db` is the primary. Most holds are paid or cancelled before their expiry job runs, so a plain read
 * comes first and only a hold that is still held and due takes the lock: a reservation leaves `held` for
 * good and its expiry never moves, so what the read finds otherwise stays true (a hold still held but not
 * due is read again, under the lock, when its job runs again).
 */
export async function expireHold(db: Knex, reservationId: number, now = new Date()): Promise<ExpiryResult> {
  const seen = await findReservation(db, reservationId);
  if (!seen || seen.status !== 'held') return { kind: 'not-held' };
  if (seen.hold_expires_at.getTime() > now.getTime()) return { kind: 'not-due', dueAt: seen.hold_expires_at };
  return retryOnLockConflict(() =>
    db.transaction(async (trx): Promise<ExpiryResult> => {
      const r = await lockReservation(trx, reservationId);
      if (!r || r.status !== 'held') return { kind: 'not-held' };
      if (r.hold_expires_at.getTime() > now.getTime()) return { kind: 'not-due', dueAt: r.hold_expires_at };
      const seats = await releaseReservation(trx, r, 'expired', now, null);
      const reservation: ReservationRow = { ...r, status: 'expired' };
      const notification = await insertNotification(trx, reservationNotification(r, 'expired', seats), now);
      return {
        kind: 'expired',
        reservation,
        seats,
        change: { reservation, seats, seatStatus: 'free', notification },
      };
    }),
  );
}
