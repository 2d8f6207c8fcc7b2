import type { Knex } from 'knex';
import { writeAudit } from '../audit.js';
import type { ReservationUpdate } from '../live-events.js';
import type { ReservationStatus } from '../views/reservation-view.js';

/**
 * The reservation rows that the api (pay, cancel) and the worker (expiry, confirmation, reconciliation)
 * both change, and the locked steps they share.
 *
 * Lock order, for every transaction that touches an existing reservation: the reservation row, then its
 * live seats by id, then its payments. The commit worker, which creates reservations, locks requests,
 * then users, then seats by id, and never waits on an existing reservation; so no two of these can wait
 * on each other in a cycle.
 */

export interface ReservationRow {
  id: number;
  user_id: number;
  event_id: number;
  request_id: number | null;
  status: ReservationStatus;
  amount_cents: number;
  hold_expires_at: Date;
  paid_at: Date | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Statuses in which a reservation owns its seats (its reservation_seats rows are live). */
export const LIVE_RESERVATION_STATUSES: readonly ReservationStatus[] = ['held', 'paid', 'confirmed'];

export const lockReservation = (trx: Knex.Transaction, id: number): Promise<ReservationRow | undefined> =>
  trx<ReservationRow>('reservations').where({ id }).first().forUpdate();

export const findReservation = (db: Knex, id: number): Promise<ReservationRow | undefined> =>
  db<ReservationRow>('reservations').where({ id }).first();

export interface LockedSeats {
  /** reservation_seats ids of the live rows. */
  rowIds: number[];
  seatIds: number[];
  labels: string[];
}

/** Locks the seats a reservation still owns, by seat id. Call with the reservation row already locked. */
export async function lockLiveSeats(trx: Knex.Transaction, reservationId: number): Promise<LockedSeats> {
  const rows = await trx('reservation_seats')
    .where({ reservation_id: reservationId })
    .whereNotNull('live_seat_id')
    .select<{ id: number; seat_id: number }[]>('id', 'seat_id');
  if (rows.length === 0) return { rowIds: [], seatIds: [], labels: [] };
  const seats = await trx('seats')
    .whereIn(
      'id',
      rows.map((r) => r.seat_id),
    )
    .orderBy('id')
    .forUpdate()
    .select<{ id: number; label: string }[]>('id', 'label');
  return {
    rowIds: rows.map((r) => r.id),
    seatIds: seats.map((s) => s.id),
    labels: seats.map((s) => s.label),
  };
}

/**
 * Marks a held reservation `paid` and its seats `sold`. The caller has locked the reservation and its
 * live seats (`lockLiveSeats`) and checked that the payment succeeded.
 */
export async function markReservationPaid(
  trx: Knex.Transaction,
  reservationId: number,
  seatIds: number[],
  now: Date,
): Promise<void> {
  await trx('seats').whereIn('id', seatIds).update({ status: 'sold', held_until: null });
  await trx('reservations').where({ id: reservationId }).update({ status: 'paid', paid_at: now });
}

/**
 * Ends a live reservation as `expired` or `cancelled` and gives its seats back: seats free, the
 * reservation_seats rows no longer live (`live_seat_id` NULL, `released_at` set), audited. The caller has
 * locked the reservation and checked that this transition is allowed.
 */
export async function releaseReservation(
  trx: Knex.Transaction,
  r: ReservationRow,
  to: 'expired' | 'cancelled',
  now: Date,
  actorUserId: number | null,
): Promise<string[]> {
  const seats = await lockLiveSeats(trx, r.id);
  if (seats.seatIds.length > 0) {
    await trx('seats')
      .whereIn('id', seats.seatIds)
      .update({ status: 'free', held_until: null, holder_user_id: null });
    await trx('reservation_seats')
      .whereIn('id', seats.rowIds)
      .update({ live_seat_id: null, released_at: now });
  }
  await trx('reservations')
    .where({ id: r.id })
    .update(to === 'cancelled' ? { status: to, cancelled_at: now } : { status: to });
  await writeAudit(trx, {
    actorUserId,
    entity: 'reservation',
    entityId: r.id,
    action: to === 'expired' ? 'expire' : 'cancel',
    before: { status: r.status, holdExpiresAt: r.hold_expires_at },
    after: { status: to, releasedSeats: seats.labels },
    requestId: r.request_id,
  });
  return seats.labels;
}

/** Seat labels of a reservation (live or released), in seat order. */
export async function reservationSeatLabels(db: Knex, reservationId: number): Promise<string[]> {
  return db('reservation_seats as rs')
    .join('seats as s', 's.id', 'rs.seat_id')
    .where('rs.reservation_id', reservationId)
    .orderBy('s.id')
    .pluck<string[]>('s.label');
}

export function toReservationUpdate(r: ReservationRow, seats: string[], at = new Date()): ReservationUpdate {
  return {
    id: r.id,
    eventId: r.event_id,
    status: r.status,
    seats,
    amountCents: r.amount_cents,
    holdExpiresAt: r.hold_expires_at.toISOString(),
    at: at.toISOString(),
  };
}
