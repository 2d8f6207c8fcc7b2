import type { Knex } from 'knex';
import type { Role } from '../../../../core/auth/access-token.js';
import { parseJson } from '../../../../core/requests/request-store.js';
import type { RoomKind } from '../../../../core/rooms/room-kind.js';
import type { RoomState } from '../../../../core/rooms/room-phase.js';
import { likePrefix } from '../users/staff-user-store.js';

/**
 * Support lookup's SQL: "what happened to this person", each part one query whatever the person's
 * history (seats and payments are fetched for all of their reservations at once), newest first.
 */

export const MAX_MATCHES = 20;
export const MAX_REQUESTS = 100;
export const MAX_RESERVATIONS = 100;
export const MAX_NOTIFICATIONS = 50;
/** Rooms whose Redis state is checked for a place; rooms are few and old ones have expired from Redis. */
export const MAX_ROOMS = 500;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface PersonMatch {
  id: number;
  username: string;
  role: Role;
  displayName: string;
  studentNumber: string | null;
  active: boolean;
}

/** People whose username or student number starts with `q`, or whose name contains it; exact hits first. */
export async function findPeople(db: Knex, text: string): Promise<PersonMatch[]> {
  const prefix = likePrefix(text);
  const rows = await db('users')
    .where('username', 'like', prefix)
    .orWhere('student_number', 'like', prefix)
    .orWhere('display_name', 'like', `%${prefix}`)
    .orderByRaw('(username = ? OR student_number = ?) DESC, id', [text, text])
    .limit(MAX_MATCHES)
    .select<
      {
        id: number;
        username: string;
        role: Role;
        display_name: string;
        student_number: string | null;
        active: number;
      }[]
    >('id', 'username', 'role', 'display_name', 'student_number', 'active');
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    role: r.role,
    displayName: r.display_name,
    studentNumber: r.student_number,
    active: Boolean(r.active),
  }));
}

export interface LookupRequest {
  id: number;
  kind: 'enrollment' | 'reservation';
  room: { id: number; name: string } | null;
  status: 'queued' | 'committed' | 'rejected' | 'failed';
  outcome: { code: string; message: string; details: unknown } | null;
  queueNumber: number | null;
  createdAt: string;
  completedAt: string | null;
}

export async function personRequests(db: Knex, userId: number): Promise<LookupRequest[]> {
  const rows = await db('requests as r')
    .leftJoin('waiting_rooms as w', 'w.id', 'r.room_id')
    .where('r.user_id', userId)
    .orderBy('r.id', 'desc')
    .limit(MAX_REQUESTS)
    .select<
      {
        id: number;
        kind: LookupRequest['kind'];
        room_id: number | null;
        room_name: string | null;
        status: LookupRequest['status'];
        outcome_code: string | null;
        outcome_message: string | null;
        outcome: unknown;
        queue_number: number | null;
        created_at: Date;
        completed_at: Date | null;
      }[]
    >(
      'r.id',
      'r.kind',
      'r.room_id',
      'w.name as room_name',
      'r.status',
      'r.outcome_code',
      'r.outcome_message',
      'r.outcome',
      'r.queue_number',
      'r.created_at',
      'r.completed_at',
    );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    room: r.room_id !== null ? { id: r.room_id, name: r.room_name ?? '' } : null,
    status: r.status,
    outcome:
      r.status === 'queued'
        ? null
        : {
            code: r.outcome_code ?? r.status.toUpperCase(),
            message: r.outcome_message ?? '',
            details: parseJson(r.outcome),
          },
    queueNumber: r.queue_number,
    createdAt: r.created_at.toISOString(),
    completedAt: iso(r.completed_at),
  }));
}

export interface LookupEnrollment {
  id: number;
  term: { id: number; code: string };
  course: { id: number; code: string; title: string };
  section: { id: number; number: number };
  requestId: number | null;
  createdAt: string;
}

export async function personEnrollments(db: Knex, userId: number): Promise<LookupEnrollment[]> {
  const rows = await db('enrollments as e')
    .join('sections as s', 's.id', 'e.section_id')
    .join('courses as c', 'c.id', 'e.course_id')
    .join('terms as t', 't.id', 'e.term_id')
    .where('e.user_id', userId)
    .orderBy('e.id', 'desc')
    .select<
      {
        id: number;
        term_id: number;
        term_code: string;
        course_id: number;
        course_code: string;
        course_title: string;
        section_id: number;
        section_number: number;
        request_id: number | null;
        created_at: Date;
      }[]
    >(
      'e.id',
      't.id as term_id',
      't.code as term_code',
      'c.id as course_id',
      'c.code as course_code',
      'c.title as course_title',
      's.id as section_id',
      's.section_number',
      'e.request_id',
      'e.created_at',
    );
  return rows.map((r) => ({
    id: r.id,
    term: { id: r.term_id, code: r.term_code },
    course: { id: r.course_id, code: r.course_code, title: r.course_title },
    section: { id: r.section_id, number: r.section_number },
    requestId: r.request_id,
    createdAt: r.created_at.toISOString(),
  }));
}

export interface LookupReservation {
  id: number;
  event: { id: number; title: string };
  status: 'held' | 'paid' | 'confirmed' | 'cancelled' | 'expired';
  amountCents: number;
  holdExpiresAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
  requestId: number | null;
  createdAt: string;
  seats: { seatId: number; label: string; zone: string; priceCents: number; releasedAt: string | null }[];
  payments: {
    id: number;
    amountCents: number;
    currency: string;
    status: 'pending' | 'succeeded' | 'failed' | 'refunded';
    provider: string;
    failureReason: string | null;
    createdAt: string;
  }[];
}

/** Reservations newest first with their seats and payments: three queries for any number of them. */
export async function personReservations(db: Knex, userId: number): Promise<LookupReservation[]> {
  const rows = await db('reservations as r')
    .join('events as e', 'e.id', 'r.event_id')
    .where('r.user_id', userId)
    .orderBy('r.id', 'desc')
    .limit(MAX_RESERVATIONS)
    .select<
      {
        id: number;
        event_id: number;
        event_title: string;
        status: LookupReservation['status'];
        amount_cents: number;
        hold_expires_at: Date;
        paid_at: Date | null;
        cancelled_at: Date | null;
        request_id: number | null;
        created_at: Date;
      }[]
    >(
      'r.id',
      'e.id as event_id',
      'e.title as event_title',
      'r.status',
      'r.amount_cents',
      'r.hold_expires_at',
      'r.paid_at',
      'r.cancelled_at',
      'r.request_id',
      'r.created_at',
    );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [seats, payments] = await Promise.all([
    db('reservation_seats as rs')
      .join('seats as s', 's.id', 'rs.seat_id')
      .whereIn('rs.reservation_id', ids)
      .orderBy('rs.id')
      .select<
        {
          reservation_id: number;
          seat_id: number;
          label: string;
          zone: string;
          price_cents: number;
          released_at: Date | null;
        }[]
      >('rs.reservation_id', 'rs.seat_id', 's.label', 's.zone', 'rs.price_cents', 'rs.released_at'),
    db('payments').whereIn('reservation_id', ids).orderBy('id').select<
      {
        id: number;
        reservation_id: number;
        amount_cents: number;
        currency: string;
        status: LookupReservation['payments'][number]['status'];
        provider: string;
        failure_reason: string | null;
        created_at: Date;
      }[]
    >('id', 'reservation_id', 'amount_cents', 'currency', 'status', 'provider', 'failure_reason', 'created_at'),
  ]);
  return rows.map((r) => ({
    id: r.id,
    event: { id: r.event_id, title: r.event_title },
    status: r.status,
    amountCents: r.amount_cents,
    holdExpiresAt: r.hold_expires_at.toISOString(),
    paidAt: iso(r.paid_at),
    cancelledAt: iso(r.cancelled_at),
    requestId: r.request_id,
    createdAt: r.created_at.toISOString(),
    seats: seats
      .filter((s) => s.reservation_id === r.id)
      .map((s) => ({
        seatId: s.seat_id,
        label: s.label,
        zone: s.zone,
        priceCents: s.price_cents,
        releasedAt: iso(s.released_at),
      })),
    payments: payments
      .filter((p) => p.reservation_id === r.id)
      .map((p) => ({
        id: p.id,
        amountCents: p.amount_cents,
        currency: p.currency,
        status: p.status,
        provider: p.provider,
        failureReason: p.failure_reason,
        createdAt: p.created_at.toISOString(),
      })),
  }));
}

export interface LookupNotification {
  id: number;
  kind: 'request' | 'reservation';
  code: string;
  message: string;
  createdAt: string;
  readAt: string | null;
}

export async function personNotifications(db: Knex, userId: number): Promise<LookupNotification[]> {
  const rows = await db('notifications')
    .where({ user_id: userId })
    .orderBy('id', 'desc')
    .limit(MAX_NOTIFICATIONS)
    .select<
      {
        id: number;
        kind: LookupNotification['kind'];
        code: string;
        message: string;
        created_at: Date;
        read_at: Date | null;
      }[]
    >('id', 'kind', 'code', 'message', 'created_at', 'read_at');
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    code: r.code,
    message: r.message,
    createdAt: r.created_at.toISOString(),
    readAt: iso(r.read_at),
  }));
}

export interface RoomRow {
  id: number;
  name: string;
  kind: RoomKind;
  state: RoomState;
}

/** The rooms to look for the person in, newest first. */
export const recentRooms = (db: Knex): Promise<RoomRow[]> =>
  db('waiting_rooms').orderBy('id', 'desc').limit(MAX_ROOMS).select<RoomRow[]>('id', 'name', 'kind', 'state');
