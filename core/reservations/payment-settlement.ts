import type { Knex } from 'knex';
import { writeAudit } from '../audit.js';
import { retryOnLockConflict } from '../db-retry.js';
import type { LivePublisher, ReservationChange } from '../live-publisher.js';
import type { Logger } from '../logger.js';
import { countPayment } from '../metrics/commit-metrics.js';
import { insertNotification, type UserNotification } from '../notifications/notification-store.js';
import { reservationNotification } from '../notifications/reservation-notification.js';
import {
  PaymentProviderError,
  type ChargeResult,
  type PaymentProvider,
} from '../payments/payment-provider.js';
import type { AfterPaymentEnqueuer } from './after-payment-queue.js';
import {
  findPayment,
  lockPayment,
  reservationIdOfPayment,
  updatePayment,
  type PaymentRow,
} from './payment-store.js';
import {
  findReservation,
  lockLiveSeats,
  lockReservation,
  markReservationPaid,
  reservationSeatLabels,
  type ReservationRow,
} from './reservation-store.js';

/**
 * Turning what the provider said about a charge into rows, the same way whether the api heard the
 * answer or the worker's reconciliation looked it up later. The money and the seats never part:
 * - charged and the reservation still held: reservation `paid`, seats `sold`, payment `succeeded`, at once;
 * - charged but the reservation is no longer held (the hold lapsed or it was cancelled meanwhile), or the
 *   payment had been given up as never charged: the charge is refunded, then the payment is `refunded`;
 * - declined: payment `failed` with the reason; the reservation stays held until its expiry.
 * A payment is only ever `pending` while its outcome is unknown or its refund is not yet confirmed; the
 * reconciliation finishes those. Provider calls happen outside any transaction.
 */
export interface SettlementDeps {
  db: Knex;
  provider: PaymentProvider;
  afterPayment: AfterPaymentEnqueuer;
  logger: Logger;
  /** Tells the owner and the event's watchers after each commit (seats sold, payment refunded). */
  live?: Pick<LivePublisher, 'publish'>;
}

export type Settlement =
  | { kind: 'paid'; reservation: ReservationRow; payment: PaymentRow }
  | { kind: 'declined'; reservation: ReservationRow; payment: PaymentRow }
  | { kind: 'refunded'; reservation: ReservationRow; payment: PaymentRow }
  /** The outcome or the refund is not settled yet (provider unreachable); the reconciliation finishes it. */
  | { kind: 'pending'; reservation: ReservationRow; payment: PaymentRow };

/** Refund idempotency key of a payment: one refund per payment, however many times it is attempted. */
export const refundKeyOf = (paymentId: number) => `refund-${paymentId}`;

interface Step {
  settled: Settlement;
  /** Charged with no seats to give for it: refund after the transaction. */
  refund: boolean;
  change: ReservationChange | null;
}

export async function settleCharge(
  deps: SettlementDeps,
  paymentId: number,
  result: ChargeResult,
  now = new Date(),
): Promise<Settlement> {
  const settled = await settle(deps, paymentId, result, now);
  // Counted where it is settled: the api when the payer waits, the worker's reconciliation otherwise.
  countPayment(settled.kind);
  return settled;
}

async function settle(
  deps: SettlementDeps,
  paymentId: number,
  result: ChargeResult,
  now: Date,
): Promise<Settlement> {
  if (result.status === 'declined') return recordDecline(deps.db, paymentId, result.reason);

  const step = await inLockedPair(deps.db, paymentId, async (trx, reservation, payment): Promise<Step> => {
    if (payment.status === 'succeeded' || payment.status === 'refunded') {
      return { settled: settlementOf(reservation, payment), refund: false, change: null };
    }
    if (payment.status === 'pending' && reservation.status === 'held') {
      const seats = await lockLiveSeats(trx, reservation.id);
      const notification = await insertNotification(
        trx,
        reservationNotification(reservation, 'paid', seats.labels),
        now,
      );
      await markReservationPaid(trx, reservation.id, seats.seatIds, now);
      await updatePayment(trx, payment.id, {
        status: 'succeeded',
        provider_ref: result.providerRef,
        failure_reason: null,
      });
      await writeAudit(trx, {
        actorUserId: reservation.user_id,
        entity: 'payment',
        entityId: payment.id,
        action: 'succeed',
        before: { status: payment.status },
        after: { status: 'succeeded', providerRef: result.providerRef, amountCents: payment.amount_cents },
      });
      await writeAudit(trx, {
        actorUserId: reservation.user_id,
        entity: 'reservation',
        entityId: reservation.id,
        action: 'pay',
        before: { status: reservation.status },
        after: { status: 'paid', paymentId: payment.id, seats: seats.labels },
        requestId: reservation.request_id,
      });
      const paid: Settlement = {
        kind: 'paid',
        reservation: { ...reservation, status: 'paid', paid_at: now },
        payment: { ...payment, status: 'succeeded', provider_ref: result.providerRef, failure_reason: null },
      };
      const change: ReservationChange = {
        reservation: paid.reservation,
        seats: seats.labels,
        seatStatus: 'sold',
        notification,
      };
      return { settled: paid, refund: false, change };
    }
    // Money was taken but there are no seats to give for it: it goes back (below, outside the transaction).
    if (payment.provider_ref !== result.providerRef) {
      await updatePayment(trx, payment.id, { provider_ref: result.providerRef });
    }
    return {
      settled: { kind: 'pending', reservation, payment: { ...payment, provider_ref: result.providerRef } },
      refund: true,
      change: null,
    };
  });
  // After the commit: the owner and the event's watchers hear of the sold seats.
  if (step.change) await deps.live?.publish({ reservations: [step.change] });
  if (step.settled.kind === 'paid' && !step.refund) {
    await deps.afterPayment.enqueue(step.settled.reservation.id).catch((err: unknown) => {
      deps.logger.warn(
        { err, reservationId: step.settled.reservation.id },
        'after-payment enqueue failed; the sweep enqueues it',
      );
    });
  }
  if (!step.refund) return step.settled;
  const why = step.settled.reservation.status === 'held' ? 'PAYMENT_ABANDONED' : 'RESERVATION_ENDED';
  return refundPayment(deps, paymentId, `${why}: reservation ${step.settled.reservation.status}`);
}

/**
 * Gives the money of a charged payment back and records it: the provider's refund first (outside any
 * transaction, idempotent by `refund-<paymentId>`), then the payment `refunded`, audited. If the provider
 * can't be reached the payment keeps its status and the reconciliation tries again.
 */
export async function refundPayment(
  deps: Pick<SettlementDeps, 'db' | 'provider' | 'logger' | 'live'>,
  paymentId: number,
  reason: string,
): Promise<Settlement> {
  const current = await findPayment(deps.db, paymentId);
  if (!current) throw new Error(`payment ${paymentId} does not exist`);
  if (current.status === 'refunded' || !current.provider_ref) {
    const reservation = await findReservation(deps.db, current.reservation_id);
    if (!reservation) throw new Error(`reservation ${current.reservation_id} does not exist`);
    return settlementOf(reservation, current);
  }
  try {
    await deps.provider.refund({
      providerRef: current.provider_ref,
      amountCents: current.amount_cents,
      idempotencyKey: refundKeyOf(paymentId),
    });
  } catch (err) {
    if (!(err instanceof PaymentProviderError)) throw err;
    deps.logger.warn({ err, paymentId }, 'refund failed; the reconciliation retries it');
    const reservation = await findReservation(deps.db, current.reservation_id);
    return { kind: 'pending', reservation: reservation as ReservationRow, payment: current };
  }
  const refunded = await inLockedPair(deps.db, paymentId, async (trx, reservation, payment) => {
    let notification: UserNotification | null = null;
    if (payment.status !== 'refunded') {
      const seats = await reservationSeatLabels(trx, reservation.id);
      notification = await insertNotification(
        trx,
        reservationNotification(reservation, 'refunded', seats, {
          paymentId: payment.id,
          refundedCents: payment.amount_cents,
          currency: payment.currency,
        }),
        new Date(),
      );
      await updatePayment(trx, payment.id, { status: 'refunded', failure_reason: reason.slice(0, 255) });
      await writeAudit(trx, {
        actorUserId: null,
        entity: 'payment',
        entityId: payment.id,
        action: 'refund',
        before: { status: payment.status },
        after: { status: 'refunded', reason, amountCents: payment.amount_cents },
      });
    }
    const settled: Settlement = {
      kind: 'refunded',
      reservation,
      payment: { ...payment, status: 'refunded', failure_reason: reason.slice(0, 255) },
    };
    return { settled, notification };
  });
  if (refunded.notification) await deps.live?.publish({ notifications: [refunded.notification] });
  return refunded.settled;
}

/** A declined charge: payment `failed` with the reason. The reservation is left as it is. */
export async function recordDecline(db: Knex, paymentId: number, reason: string): Promise<Settlement> {
  return inLockedPair(db, paymentId, async (trx, reservation, payment) => {
    if (payment.status !== 'pending') return settlementOf(reservation, payment);
    await updatePayment(trx, payment.id, { status: 'failed', failure_reason: reason.slice(0, 255) });
    await writeAudit(trx, {
      actorUserId: reservation.user_id,
      entity: 'payment',
      entityId: payment.id,
      action: 'fail',
      before: { status: payment.status },
      after: { status: 'failed', reason },
    });
    return {
      kind: 'declined',
      reservation,
      payment: { ...payment, status: 'failed', failure_reason: reason.slice(0, 255) },
    } as const;
  });
}

/**
 * Locks the reservation, then the payment: the lock order of every reservation transaction. The
 * payment's reservation id (which never changes) is read before the transaction, so the transaction's
 * first statement is a lock and every later plain read sees what was committed before it was granted.
 */
async function inLockedPair<T>(
  db: Knex,
  paymentId: number,
  fn: (trx: Knex.Transaction, reservation: ReservationRow, payment: PaymentRow) => Promise<T>,
): Promise<T> {
  const reservationId = await reservationIdOfPayment(db, paymentId);
  if (reservationId === undefined) throw new Error(`payment ${paymentId} does not exist`);
  return retryOnLockConflict(() =>
    db.transaction(async (trx) => {
      const reservation = await lockReservation(trx, reservationId);
      const payment = await lockPayment(trx, paymentId);
      if (!reservation || !payment) throw new Error(`payment ${paymentId} or its reservation vanished`);
      return fn(trx, reservation, payment);
    }),
  );
}

function settlementOf(reservation: ReservationRow, payment: PaymentRow): Settlement {
  switch (payment.status) {
    case 'succeeded':
      return { kind: 'paid', reservation, payment };
    case 'refunded':
      return { kind: 'refunded', reservation, payment };
    case 'failed':
      return { kind: 'declined', reservation, payment };
    case 'pending':
      return { kind: 'pending', reservation, payment };
  }
}
