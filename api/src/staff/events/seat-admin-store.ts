import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../../../core/errors.js';
import type { StaffSeatView } from '../../../../core/views/staff-seat-view.js';
import type { Page } from '../catalog/admin-page.js';
import { keysetPage } from '../catalog/admin-page.js';

export type SeatDto = StaffSeatView;

interface SeatRow {
  id: number;
  event_id: number;
  label: string;
  zone: string;
  row_label: string | null;
  pos_x: number | null;
  pos_y: number | null;
  price_cents: number;
  status: SeatDto['status'];
  active: number;
  version: number;
}

/** The seat columns staff write, by the API's names. */
export interface SeatChanges {
  label?: string;
  zone?: string;
  row?: string | null;
  x?: number | null;
  y?: number | null;
  priceCents?: number;
  active?: boolean;
}

const COLUMNS = [
  'id',
  'event_id',
  'label',
  'zone',
  'row_label',
  'pos_x',
  'pos_y',
  'price_cents',
  'status',
  'active',
  'version',
];

const toDto = (r: SeatRow): SeatDto => ({
  id: r.id,
  eventId: r.event_id,
  label: r.label,
  zone: r.zone,
  row: r.row_label,
  x: r.pos_x,
  y: r.pos_y,
  priceCents: r.price_cents,
  status: r.status,
  active: Boolean(r.active),
  version: r.version,
});

/** API names to columns; a field left out stays undefined, which the update leaves alone. */
export const seatColumns = (s: SeatChanges): Record<string, unknown> => ({
  label: s.label,
  zone: s.zone,
  row_label: s.row,
  pos_x: s.x,
  pos_y: s.y,
  price_cents: s.priceCents,
  active: s.active,
});

/** Rooms in these states have people in line or buying: their seat map must not move under them. */
const LIVE_ROOM_STATES = ['prequeue', 'open', 'paused'];

/**
 * 404 for a missing event; otherwise share-locks its row, so it can't be deleted under a seat change.
 * Event row before seat rows, as the seat-map import takes them.
 */
export async function lockEvent(trx: Knex, eventId: number): Promise<void> {
  const event = await trx('events').where({ id: eventId }).first<{ id: number } | undefined>('id').forShare();
  if (!event) throw new NotFoundError('EVENT_NOT_FOUND', `No event ${eventId}`);
}

/**
 * 409 SALE_ROOM_OPEN while the event's sale room is live. The api's transactions run REPEATABLE READ, so
 * this scan share-locks the event's room rows: a room can't be opened until the seat change commits.
 */
export async function assertNoLiveRoom(trx: Knex, eventId: number): Promise<void> {
  const room = await trx('waiting_rooms')
    .where({ event_id: eventId })
    .whereIn('state', LIVE_ROOM_STATES)
    .first<{ id: number; state: string } | undefined>('id', 'state')
    .forShare();
  if (room)
    throw new ConflictError(
      'SALE_ROOM_OPEN',
      `The event's sale room ${room.id} is ${room.state}; close it before changing the seat map`,
    );
}

export async function eventExists(db: Knex, eventId: number): Promise<boolean> {
  return Boolean(await db('events').where({ id: eventId }).first('id'));
}

/** All seats of an event, by id, a page at a time. */
export function listSeats(
  db: Knex,
  eventId: number,
  page: { after?: number | undefined; limit: number },
): Promise<Page<SeatDto>> {
  const qb = db('seats').where({ event_id: eventId }).select(COLUMNS);
  return keysetPage<SeatRow, SeatDto>(qb, 'id', page, (rows) => rows.map(toDto));
}

/** One seat of this event (a seat id of another event is not found); `lock` takes it FOR UPDATE. */
export async function findSeat(
  db: Knex,
  eventId: number,
  seatId: number,
  lock = false,
): Promise<SeatDto | undefined> {
  const qb = db('seats').where({ id: seatId, event_id: eventId }).first<SeatRow | undefined>(COLUMNS);
  const row = await (lock ? qb.forUpdate() : qb);
  return row && toDto(row);
}

export async function insertSeat(trx: Knex, eventId: number, seat: SeatChanges): Promise<number> {
  const [id] = await trx('seats').insert({ event_id: eventId, ...seatColumns(seat) });
  return Number(id);
}

/** Whether the seat was ever in a reservation, live or released: its history needs the row. */
export async function seatEverReserved(trx: Knex, seatId: number): Promise<boolean> {
  return Boolean(await trx('reservation_seats').where({ seat_id: seatId }).first('id'));
}

export async function deleteSeat(trx: Knex, seatId: number): Promise<void> {
  await trx('seats').where({ id: seatId }).delete();
}
