import { retryOnLockConflict } from '../../../core/db-retry.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import type { ReservationChange } from '../../../core/live-publisher.js';
import { insertNotification } from '../../../core/notifications/notification-store.js';
import { reservationNotification } from '../../../core/notifications/reservation-notification.js';
import { refundPayment, type SettlementDeps } from '../../../core/reservations/payment-settlement.js';
import { paymentIdIn } from '../../../core/reservations/payment-store.js';
import {
  lockReservation,
  releaseReservation,
  type ReservationRow,
} from '../../../core/reservations/reservation-store.js';

export interface Cancellation {
  reservation: ReservationRow;
  /** `none`: nothing was paid; `refunded`: the payment was refunded; `pending`: the refund will be retried. */
  refund: 'none' | 'refunded' | 'pending';
}

/**
 * DELETE /api/reservations/:id. One transaction ends the reservation (`cancelled`), frees its seats at
 * once, audits it and writes the owner's notification; then, outside it, the owner and the event's
 * watchers are told, and a paid reservation's payment is refunded through the provider
 * and marked `refunded`. The money goes back after the seats: if the refund can't be confirmed now the
 * payment stays `succeeded` on a cancelled reservation, which the worker's reconciliation finds and
 * refunds (by the same refund key, so never twice). Cancelling again is harmless and retries a refund.
 */
export async function cancelReservation(
  deps: Pick<SettlementDeps, 'db' | 'provider' | 'logger' | 'live'>,
  userId: number,
  reservationId: number,
  now = new Date(),
): Promise<Cancellation> {
  const { reservation, paymentId, change } = await retryOnLockConflict(() =>
    deps.db.transaction(async (trx) => {
      const r = await lockReservation(trx, reservationId);
      if (!r || r.user_id !== userId) {
        throw new NotFoundError('RESERVATION_NOT_FOUND', `You have no reservation ${reservationId}`);
      }
      if (r.status === 'expired') {
        throw new ConflictError('HOLD_EXPIRED', 'This hold already expired; its seats were released', {
          reservationId: r.id,
        });
      }
      let change: ReservationChange | null = null;
      if (r.status !== 'cancelled') {
        const seats = await releaseReservation(trx, r, 'cancelled', now, userId);
        change = {
          reservation: { ...r, status: 'cancelled', cancelled_at: now },
          seats,
          seatStatus: 'free',
          notification: await insertNotification(trx, reservationNotification(r, 'cancelled', seats), now),
        };
      }
      const paymentId = await paymentIdIn(trx, r.id, 'succeeded');
      const after: ReservationRow =
        r.status === 'cancelled' ? r : { ...r, status: 'cancelled', cancelled_at: now };
      return { reservation: after, paymentId, change };
    }),
  );
  // After the commit: the owner and the event's watchers hear the seats are free again.
  if (change) await deps.live?.publish({ reservations: [change] });
  if (paymentId === undefined) return { reservation, refund: 'none' };
  const refunded = await refundPayment(deps, paymentId, 'CANCELLED: refunded on cancellation');
  return { reservation, refund: refunded.kind === 'refunded' ? 'refunded' : 'pending' };
}
