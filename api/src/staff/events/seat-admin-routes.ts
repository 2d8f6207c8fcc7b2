import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { writeAudit } from '../../../../core/audit.js';
import { currentUser } from '../../../../core/auth/require-auth.js';
import { isDbErrorCode } from '../../../../core/db.js';
import { ConflictError, NotFoundError } from '../../../../core/errors.js';
import { decimalId, decimalLimit } from '../../../../core/http/decimal-id.js';
import { idParams } from '../../../../core/http/id-params.js';
import { expectedVersion, sendWithVersion, updateIfVersion } from '../../../../core/http/row-version.js';
import { parseInput } from '../../../../core/http/validate.js';
import { nonEmpty } from '../catalog/admin-resource.js';
import {
  assertNoLiveRoom,
  deleteSeat,
  eventExists,
  findSeat,
  insertSeat,
  listSeats,
  lockEvent,
  seatColumns,
  seatEverReserved,
  type SeatDto,
} from './seat-admin-store.js';

export const seatParams = z.object({ id: decimalId, seatId: decimalId }).strict();
// A whole arena fits in one page; the keyset is there for the rare bigger map.
export const seatListQuery = z
  .object({ after: decimalId.optional(), limit: decimalLimit(5000, 5000) })
  .strict();

// Column sizes: label 16, zone 32, row_label 16, pos_x/pos_y SMALLINT UNSIGNED, price_cents INT UNSIGNED.
const fields = {
  zone: z.string().trim().min(1).max(32),
  row: z.string().trim().min(1).max(16).nullable(),
  x: z.number().int().min(0).max(65_535).nullable(),
  y: z.number().int().min(0).max(65_535).nullable(),
  priceCents: z.number().int().min(0).max(100_000_000),
  active: z.boolean(),
};
export const seatCreateBody = z
  .object({
    label: z.string().trim().min(1).max(16),
    ...fields,
    row: fields.row.default(null),
    x: fields.x.default(null),
    y: fields.y.default(null),
    active: fields.active.default(true),
  })
  .strict();
// The label is the seat's name on tickets and in reservations: not editable (add a seat instead).
export const seatPatchBody = z
  .object(fields)
  .partial()
  .strict()
  .refine(nonEmpty, 'change at least one field');

const seatNotFound = (eventId: number, seatId: number) =>
  new NotFoundError('SEAT_NOT_FOUND', `No seat ${seatId} in event ${eventId}`);

/** A label the event already has is the caller's mistake, not a 500. */
async function labelUnique<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isDbErrorCode(err, 'ER_DUP_ENTRY'))
      throw new ConflictError('SEAT_LABEL_TAKEN', 'This event already has a seat with this label');
    throw err;
  }
}

/**
 * Locks the event (shared) and the seat, and checks the client's version before any rule (a stale edit
 * is always a 409 VERSION_CONFLICT), then the sale room.
 */
async function lockSeat(trx: Knex, eventId: number, seatId: number, expected: number): Promise<SeatDto> {
  await lockEvent(trx, eventId);
  const before = await findSeat(trx, eventId, seatId, true);
  if (!before) throw seatNotFound(eventId, seatId);
  if (before.version !== expected) await updateIfVersion(trx, 'seats', seatId, expected, {});
  await assertNoLiveRoom(trx, eventId);
  return before;
}

/**
 * /api/staff/events/:id/seats: an event's seat map, one seat at a time (the CSV import replaces many).
 * Every change is refused while the event's sale room is live, and audited in its own transaction.
 */
export function seatAdminRoutes(db: Knex): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const page = parseInput(seatListQuery, req.query, 'query');
    if (!(await eventExists(db, id))) throw new NotFoundError('EVENT_NOT_FOUND', `No event ${id}`);
    res.json(await listSeats(db, id, page));
  });

  router.get('/:seatId', async (req, res) => {
    const { id, seatId } = parseInput(seatParams, req.params, 'path');
    const seat = await findSeat(db, id, seatId);
    if (!seat) throw seatNotFound(id, seatId);
    sendWithVersion(res, seat);
  });

  router.post('/', async (req, res) => {
    const actorUserId = currentUser(req).id;
    const { id } = parseInput(idParams, req.params, 'path');
    const input = parseInput(seatCreateBody, req.body);
    const created = await labelUnique(() =>
      db.transaction(async (trx) => {
        await lockEvent(trx, id);
        await assertNoLiveRoom(trx, id);
        const seatId = await insertSeat(trx, id, input);
        const after = await findSeat(trx, id, seatId);
        if (!after) throw new Error(`seat ${seatId} vanished inside its own insert`);
        await writeAudit(trx, { actorUserId, entity: 'seat', entityId: seatId, action: 'create', after });
        return after;
      }),
    );
    res.status(201).location(`${req.baseUrl}/${created.id}`);
    sendWithVersion(res, created);
  });

  router.patch('/:seatId', async (req, res) => {
    const actorUserId = currentUser(req).id;
    const { id, seatId } = parseInput(seatParams, req.params, 'path');
    const expected = expectedVersion(req);
    const input = parseInput(seatPatchBody, req.body);
    const updated = await db.transaction(async (trx) => {
      const before = await lockSeat(trx, id, seatId, expected);
      // A holder was quoted this price in this zone; it must not move under them (or under a buyer).
      const repriced = input.priceCents !== undefined && input.priceCents !== before.priceCents;
      const rezoned = input.zone !== undefined && input.zone !== before.zone;
      if (before.status !== 'free' && (repriced || rezoned))
        throw new ConflictError(
          'SEAT_HELD',
          `Seat ${before.label} is ${before.status}; its price and zone can't change`,
        );
      const set = Object.fromEntries(Object.entries(seatColumns(input)).filter(([, v]) => v !== undefined));
      await updateIfVersion(trx, 'seats', seatId, expected, set);
      const after = await findSeat(trx, id, seatId);
      if (!after) throw new Error(`seat ${seatId} vanished inside its own update`);
      await writeAudit(trx, {
        actorUserId,
        entity: 'seat',
        entityId: seatId,
        action: 'update',
        before,
        after,
      });
      return after;
    });
    sendWithVersion(res, updated);
  });

  router.delete('/:seatId', async (req, res) => {
    const actorUserId = currentUser(req).id;
    const { id, seatId } = parseInput(seatParams, req.params, 'path');
    const expected = expectedVersion(req);
    await db.transaction(async (trx) => {
      const before = await lockSeat(trx, id, seatId, expected);
      if (await seatEverReserved(trx, seatId))
        throw new ConflictError(
          'SEAT_HAS_SALES',
          `Seat ${before.label} was in a reservation; deactivate it instead (PATCH active: false)`,
        );
      await deleteSeat(trx, seatId);
      await writeAudit(trx, { actorUserId, entity: 'seat', entityId: seatId, action: 'delete', before });
    });
    res.status(204).end();
  });

  return router;
}
