import { retryOnLockConflict } from '../../../core/db-retry.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';
import { refundPayment, type SettlementDeps } from '../../../core/payments/payment-settlement.js';
import {
  lockReservation,
  releaseReservation,
  type PaymentRow,
  type ReservationRow,
} from '../../../core/payments/reservation-store.js';

export interface Cancellation {
  reservation: ReservationRow;
  /** `none`: nothing was paid; `refunded`: the payment was refunded; `pending`: the refund will be retried. */
  refund: 'none' | 'refunded' | 'pending';
}

/**
 * DELETE /api/reservations/:id. One transaction ends the reservation (`cancelled`), frees its seats at
 * once and audits it; then, outside it, a paid reservation's payment is refunded through the provider
 * and marked `refunded`. The money goes back after the seats: if the refund can't be confirmed now the
 * payment stays `succeeded` on a cancelled reservation, which the worker's reconciliation finds and
 * refunds (by the same refund key, so never twice). Cancelling again is harmless and retries a refund.
 */
export async function cancelReservation(
  deps: Pick<SettlementDeps, 'db' | 'provider' | 'logger'>,
  userId: number,
  reservationId: number,
  now = new Date(),
): Promise<Cancellation> {
  const { reservation, paymentId } = await retryOnLockConflict(() =>
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
      if (r.status !== 'cancelled') await releaseReservation(trx, r, 'cancelled', now, userId);
      const paid = await trx<PaymentRow>('payments')
        .where({ reservation_id: r.id, status: 'succeeded' })
        .first('id');
      const after: ReservationRow =
        r.status === 'cancelled' ? r : { ...r, status: 'cancelled', cancelled_at: now };
      return { reservation: after, paymentId: paid?.id };
    }),
  );
  if (paymentId === undefined) return { reservation, refund: 'none' };
  const refunded = await refundPayment(deps, paymentId, 'CANCELLED: refunded on cancellation');
  return { reservation, refund: refunded.kind === 'refunded' ? 'refunded' : 'pending' };
}
