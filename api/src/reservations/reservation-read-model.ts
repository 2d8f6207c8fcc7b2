import type { Knex } from 'knex';
import type { PaymentRow } from '../../../core/reservations/payment-store.js';
import type { ReservationRow } from '../../../core/reservations/reservation-store.js';
import type { ReservationView } from '../../../core/views/reservation-view.js';

export type { ReservationView } from '../../../core/views/reservation-view.js';

type Row = ReservationRow & { event_title: string };

export async function findReservationView(
  db: Knex,
  userId: number,
  id: number,
): Promise<ReservationView | undefined> {
  const [view] = await viewsOf(db, await baseQuery(db, userId).andWhere('r.id', id));
  return view;
}

/** Newest first, paged with `beforeId`. */
export async function listReservationViews(
  db: Knex,
  userId: number,
  opts: { limit: number; beforeId?: number },
): Promise<ReservationView[]> {
  const q = baseQuery(db, userId).orderBy('r.id', 'desc').limit(opts.limit);
  if (opts.beforeId !== undefined) void q.andWhere('r.id', '<', opts.beforeId);
  return viewsOf(db, await q);
}

const baseQuery = (db: Knex, userId: number) =>
  db('reservations as r')
    .join('events as e', 'e.id', 'r.event_id')
    .where('r.user_id', userId)
    .select<Row[]>('r.*', 'e.title as event_title');

async function viewsOf(db: Knex, rows: Row[]): Promise<ReservationView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const seats = await db('reservation_seats as rs')
    .join('seats as s', 's.id', 'rs.seat_id')
    .whereIn('rs.reservation_id', ids)
    .orderBy('s.id')
    .select<
      {
        reservation_id: number;
        label: string;
        zone: string;
        price_cents: number;
        live_seat_id: number | null;
      }[]
    >('rs.reservation_id', 's.label', 's.zone', 'rs.price_cents', 'rs.live_seat_id');
  const payments = await db<PaymentRow>('payments').whereIn('reservation_id', ids).orderBy('id');
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    eventTitle: r.event_title,
    status: r.status,
    seats: seats
      .filter((s) => s.reservation_id === r.id)
      .map((s) => ({
        label: s.label,
        zone: s.zone,
        priceCents: s.price_cents,
        live: s.live_seat_id !== null,
      })),
    amountCents: r.amount_cents,
    holdExpiresAt: r.hold_expires_at.toISOString(),
    paidAt: r.paid_at?.toISOString() ?? null,
    cancelledAt: r.cancelled_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    requestId: r.request_id,
    payments: payments
      .filter((p) => p.reservation_id === r.id)
      .map((p) => ({
        id: p.id,
        status: p.status,
        amountCents: p.amount_cents,
        currency: p.currency,
        providerRef: p.provider_ref,
        failureReason: p.failure_reason,
        createdAt: p.created_at.toISOString(),
      })),
  }));
}

/** What a reservation request checks about its event: that it exists and its per-person limit. */
export interface EventLimit {
  id: number;
  per_user_limit: number;
}

export const eventLimit = (db: Knex, eventId: number): Promise<EventLimit | undefined> =>
  db('events').where({ id: eventId }).first<EventLimit | undefined>('id', 'per_user_limit');

/** The labels, as the database spells them, of an event's seats among `labels` (collation-compared). */
export const seatLabelsIn = (db: Knex, eventId: number, labels: string[]): Promise<string[]> =>
  db('seats').where({ event_id: eventId }).whereIn('label', labels).pluck<string[]>('label');

export const eventZones = async (db: Knex, eventId: number): Promise<string[]> =>
  (await db('seats').where({ event_id: eventId }).distinct<{ zone: string }[]>('zone')).map((r) => r.zone);

/** The waiting rooms that guard an event's sale. */
export const eventRoomIds = (db: Knex, eventId: number): Promise<number[]> =>
  db('waiting_rooms').where({ event_id: eventId }).pluck<number[]>('id');

/**
 * Whether the reservation requested under `idempotencyKey` is still live (ADR 015): its request not yet
 * recorded or decided, or the reservation it made held, paid or confirmed. Read only when the same admission asks
 * for a second reservation, never on a first submission. Served by the requests' (user_id,
 * idempotency_key) unique key, then the reservations' (user_id, …) index.
 */
export async function isReservationLive(db: Knex, userId: number, idempotencyKey: string): Promise<boolean> {
  const request = await db('requests')
    .where({ user_id: userId, idempotency_key: idempotencyKey })
    .first<{ id: number; status: string } | undefined>('id', 'status');
  // No row yet: its submission is still being recorded (a failed one gives its key back), so it counts.
  if (!request || request.status === 'queued') return true;
  const live = await db('reservations')
    .where({ user_id: userId, request_id: request.id })
    .whereIn('status', ['held', 'paid', 'confirmed'])
    .first<{ id: number } | undefined>('id');
  return live !== undefined;
}
