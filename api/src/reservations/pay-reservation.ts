import { createHash } from 'node:crypto';
import { writeAudit } from '../../../core/audit.js';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import { ConflictError, NotFoundError, PaymentRequiredError } from '../../../core/errors.js';
import { PaymentProviderError, type ChargeResult } from '../../../core/payments/payment-provider.js';
import {
  recordDecline,
  settleCharge,
  type Settlement,
  type SettlementDeps,
} from '../../../core/reservations/payment-settlement.js';
import {
  insertPayment,
  paymentByKey,
  paymentIdIn,
  type NewPayment,
  type PaymentRow,
} from '../../../core/reservations/payment-store.js';
import {
  findReservation,
  lockReservation,
  type ReservationRow,
} from '../../../core/reservations/reservation-store.js';

/**
 * The provider's idempotency key for one payment attempt: the reservation and the client's
 * Idempotency-Key, hashed to a fixed length, so a retried POST finds the same payment and the provider
 * the same charge, while two people's keys can never meet.
 */
export const paymentKeyOf = (reservationId: number, clientKey: string) =>
  `pay-${reservationId}-${createHash('sha256').update(clientKey).digest('hex').slice(0, 40)}`;

/**
 * POST /api/reservations/:id/pay, in three steps so no network call happens inside a transaction:
 * (a) lock the reservation, check it is the caller's, held and within its hold, and record a `pending`
 *     payment; (b) charge through the provider; (c) settle what it said (payment-settlement.ts). A crash
 *     between (b) and (c) leaves the payment `pending`; the worker's reconciliation finishes it.
 */
export class ReservationPayments {
  constructor(private readonly deps: SettlementDeps & { currency: string }) {}

  async pay(input: {
    userId: number;
    reservationId: number;
    clientKey: string;
    paymentMethod?: string;
    now?: Date;
  }): Promise<Settlement> {
    const now = input.now ?? new Date();
    const key = paymentKeyOf(input.reservationId, input.clientKey);
    const payment = await this.begin(input.userId, input.reservationId, key, now);
    if (payment.status !== 'pending') return this.answerOf(await this.replay(payment));

    let result: ChargeResult;
    try {
      result = await this.deps.provider.charge({
        amountCents: payment.amount_cents,
        currency: payment.currency,
        idempotencyKey: key,
        paymentMethod: input.paymentMethod,
      });
    } catch (err) {
      if (!(err instanceof PaymentProviderError)) throw err;
      if (!err.retryable) return this.answerOf(await recordDecline(this.deps.db, payment.id, err.message));
      // Unknown outcome: the payment stays pending; the reconciliation asks the provider later.
      this.deps.logger.warn({ err, paymentId: payment.id }, 'charge outcome unknown; left pending');
      return { kind: 'pending', reservation: await this.reservation(payment.reservation_id), payment };
    }
    return this.answerOf(await settleCharge(this.deps, payment.id, result, new Date()));
  }

  /** (a): the pending payment of this attempt, new or (for a retried POST) the one recorded before. */
  private begin(userId: number, reservationId: number, key: string, now: Date): Promise<PaymentRow> {
    return retryOnLockConflict(() =>
      this.deps.db.transaction(async (trx) => {
        const r = await lockReservation(trx, reservationId);
        if (!r || r.user_id !== userId) {
          throw new NotFoundError('RESERVATION_NOT_FOUND', `You have no reservation ${reservationId}`);
        }
        const existing = await paymentByKey(trx, key);
        if (existing) return existing;
        if (r.status === 'paid' || r.status === 'confirmed') {
          throw new ConflictError('ALREADY_PAID', `Reservation ${r.id} is already paid`);
        }
        if (r.status === 'cancelled') {
          throw new ConflictError('RESERVATION_CANCELLED', `Reservation ${r.id} was cancelled`);
        }
        if (r.status === 'expired' || r.hold_expires_at.getTime() <= now.getTime()) {
          throw new ConflictError(
            'HOLD_EXPIRED',
            `Your hold on these seats expired at ${r.hold_expires_at.toISOString()}; nothing was charged. Reserve again.`,
            { reservationId: r.id, holdExpiresAt: r.hold_expires_at.toISOString() },
          );
        }
        const inFlight = await paymentIdIn(trx, r.id, 'pending');
        if (inFlight !== undefined) {
          throw new ConflictError(
            'PAYMENT_IN_PROGRESS',
            'A payment for this reservation is already being processed',
            { paymentId: inFlight },
          );
        }
        const row: NewPayment = {
          reservation_id: r.id,
          amount_cents: r.amount_cents,
          currency: this.deps.currency,
          status: 'pending',
          provider: this.deps.provider.name,
          idempotency_key: key,
        };
        const id = await insertPayment(trx, row);
        await writeAudit(trx, {
          actorUserId: userId,
          entity: 'payment',
          entityId: id,
          action: 'start',
          after: { reservationId: r.id, amountCents: r.amount_cents, currency: row.currency },
        });
        return { ...row, id, provider_ref: null, failure_reason: null, created_at: now, updated_at: now };
      }),
    );
  }

  private async replay(payment: PaymentRow): Promise<Settlement> {
    const reservation = await this.reservation(payment.reservation_id);
    const kind = (
      { succeeded: 'paid', failed: 'declined', refunded: 'refunded', pending: 'pending' } as const
    )[payment.status];
    return { kind, reservation, payment };
  }

  private async reservation(id: number): Promise<ReservationRow> {
    const r = await findReservation(this.deps.db, id);
    if (!r) throw new Error(`reservation ${id} vanished`);
    return r;
  }

  /** Declines and refunds become errors for the client; paid and pending are answers. */
  private answerOf(s: Settlement): Settlement {
    if (s.kind === 'declined') {
      throw new PaymentRequiredError(
        'PAYMENT_DECLINED',
        `The payment was declined (${s.payment.failure_reason ?? 'declined'}); nothing was charged. ` +
          `Your seats stay held until ${s.reservation.hold_expires_at.toISOString()}.`,
        {
          paymentId: s.payment.id,
          reason: s.payment.failure_reason,
          holdExpiresAt: s.reservation.hold_expires_at.toISOString(),
        },
      );
    }
    if (s.kind === 'refunded') {
      const cancelled = s.reservation.status === 'cancelled';
      throw new ConflictError(
        cancelled ? 'RESERVATION_CANCELLED' : 'HOLD_EXPIRED',
        cancelled
          ? 'The reservation was cancelled while the payment was processed; the charge was refunded'
          : 'Your hold expired while the payment was processed; the charge was refunded',
        { reservationId: s.reservation.id, paymentId: s.payment.id, refunded: true },
      );
    }
    return s;
  }
}
