import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../../../core/errors.js';
import type { SeatPlanRow } from './seats-file.js';
import { upsertRows } from './upsert-rows.js';

/** Rooms in these states have people in line or buying: their seat map must not move under them. */
const LIVE_ROOM_STATES = ['prequeue', 'open', 'paused'];

/**
 * Refuses a seat-map import for a missing event (404), an event whose sale room is live (409
 * SALE_ROOM_OPEN) or one with seats already held or sold (409 EVENT_HAS_SALES). With `lock` (the real run)
 * the event row is locked, so a hold can't start between this check and the write.
 */
export async function assertSeatMapEditable(db: Knex, eventId: number, lock: boolean): Promise<void> {
  const q = db('events').where({ id: eventId }).first<{ id: number } | undefined>('id');
  const event = lock ? await q.forUpdate() : await q;
  if (!event) throw new NotFoundError('EVENT_NOT_FOUND', `No event ${eventId}`);
  const room = await db('waiting_rooms')
    .where({ event_id: eventId })
    .whereIn('state', LIVE_ROOM_STATES)
    .first<{ id: number; state: string } | undefined>('id', 'state');
  if (room)
    throw new ConflictError(
      'SALE_ROOM_OPEN',
      `The event's sale room ${room.id} is ${room.state}; close it first`,
    );
  const sold = db('seats').where({ event_id: eventId }).whereIn('status', ['held', 'sold']).first('id');
  if (await (lock ? sold.forUpdate() : sold))
    throw new ConflictError(
      'EVENT_HAS_SALES',
      'Seats of this event are already held or sold; the seat map is fixed',
    );
}

export const countSeats = async (db: Knex, eventId: number): Promise<number> => {
  const [row] = await db('seats').where({ event_id: eventId }).count<{ n: number }[]>('* as n');
  return Number(row?.n ?? 0);
};

/** Upserts the file's seats by (event, label); seats the file does not name are kept (they may have history). */
export async function writeSeats(
  trx: Knex.Transaction,
  eventId: number,
  seats: SeatPlanRow[],
): Promise<void> {
  await upsertRows(
    trx,
    'seats',
    seats.map((s) => ({
      event_id: eventId,
      label: s.label,
      zone: s.zone,
      row_label: s.rowLabel,
      pos_x: s.x,
      pos_y: s.y,
      price_cents: s.priceCents,
    })),
    ['event_id', 'label'],
    ['zone', 'row_label', 'pos_x', 'pos_y', 'price_cents'],
  );
}
