import type { Knex } from 'knex';
import type { LivePublisher } from '../../../core/live-publisher.js';
import type { Logger } from '../../../core/logger.js';
import { parseJson, type RequestRow } from '../../../core/requests/request-store.js';
import {
  reservationPayload,
  type RequestOutcome,
  type ReservationPayload,
} from '../../../core/requests/request-types.js';
import type { DecidedRequest } from '../commit/outcome-writer.js';
import { writeOutcomes } from '../commit/outcome-writer.js';
import type { BatchCommit } from '../commit/request-committer.js';
import type { HoldExpiryQueue, ScheduledHold } from './hold-expiry-queue.js';
import { labelKey, lockBatchSeats, zoneKey, type SeatSnapshot, type SeatState } from './seat-locks.js';

export const RESERVATION_CODES = {
  held: 'SEATS_HELD',
  taken: 'SEATS_TAKEN',
  notEnough: 'NOT_ENOUGH_SEATS',
  limit: 'PER_USER_LIMIT',
  unknownEvent: 'UNKNOWN_EVENT',
  unknownSeat: 'UNKNOWN_SEAT',
  inactiveSeat: 'SEAT_INACTIVE',
  invalid: 'INVALID_REQUEST',
} as const;

interface EventRow {
  id: number;
  per_user_limit: number;
  hold_ttl_s: number;
}

interface Hold {
  row: RequestRow;
  eventId: number;
  seats: SeatState[];
  amountCents: number;
  holdExpiresAt: Date;
  outcome: RequestOutcome;
}

const CHUNK = 1_000;

/** A seat the batch held, for the events' watchers. */
interface HeldSeat {
  eventId: number;
  label: string;
  status: 'held';
}

/**
 * Commits a batch of reservation requests in ONE transaction, like the enrollment committer: rows are
 * locked once, in a fixed order (requests, then users, then seats, each by id; see seat-locks.ts for the
 * seats), each request is decided in admission order (`queue_number`, then id) against that snapshot,
 * and the writes go out in a few bulk statements with the outcomes.
 *
 * The user locks serialise one person's concurrent requests (two tabs, two worker processes): their live
 * seats, counted for the per-user limit after the lock is granted, include what the other batch
 * committed. That holds under READ COMMITTED (how RequestCommitter runs batches) and also under
 * REPEATABLE READ, since every statement before the user locks is a locking read.
 *
 * A hold inserts the reservation (`held`, amount = the seats' prices, `hold_expires_at` = now + the
 * event's `hold_ttl_s`), one reservation_seats row per seat with `live_seat_id = seat_id` (unique: the
 * schema refuses a seat in two live reservations), marks the seats held, and audits it.
 */
export async function commitReservationBatch(
  trx: Knex.Transaction,
  requestIds: number[],
  now: Date,
): Promise<DecidedRequest[]> {
  return (await commitReservations(trx, requestIds, now)).decided;
}

/**
 * A BatchCommit that, once the transaction has committed, schedules each new hold's expiry job and tells
 * the events' watchers which seats the batch held (one `seats:changed` per event for the whole batch).
 */
export function reservationBatchCommit(
  holds: Pick<HoldExpiryQueue, 'schedule'>,
  logger: Logger,
  live?: Pick<LivePublisher, 'publish'>,
): BatchCommit {
  return async (trx, requestIds, now) => {
    const { decided, held, seats } = await commitReservations(trx, requestIds, now);
    if (held.length > 0) {
      // After the commit only (no network I/O inside the transaction; nothing scheduled or pushed for a
      // rollback). A job lost here is covered by the sweep, which expires holds left past their expiry.
      trx.executionPromise.then(
        () =>
          Promise.all([
            holds.schedule(held).catch((err: unknown) => {
              logger.warn(
                { err, count: held.length },
                'could not schedule hold expiries; the sweep covers them',
              );
            }),
            live?.publish({ seats }),
          ]),
        () => undefined,
      );
    }
    return decided;
  };
}

export async function commitReservations(
  trx: Knex.Transaction,
  requestIds: number[],
  now: Date,
): Promise<{ decided: DecidedRequest[]; held: ScheduledHold[]; seats: HeldSeat[] }> {
  const requests = await trx<RequestRow>('requests')
    .whereIn('id', requestIds)
    .andWhere({ status: 'queued', kind: 'reservation' })
    .orderBy('id')
    .forUpdate();
  if (requests.length === 0) return { decided: [], held: [], seats: [] };

  const wanted = requests.map((row) => {
    const parsed = reservationPayload.safeParse(parseJson(row.payload));
    return { row, payload: parsed.success ? parsed.data : null };
  });
  const userIds = [...new Set(requests.map((r) => r.user_id))].sort((a, b) => a - b);
  const users = new Set(
    await trx('users').whereIn('id', userIds).orderBy('id').forUpdate().pluck<number[]>('id'),
  );

  const valid = wanted.flatMap((w) => (w.payload ? [w.payload] : []));
  const events = await loadEvents(trx, [...new Set(valid.map((p) => p.eventId))]);
  const chosen = new Map<number, Set<string>>();
  const zones = new Map<string, { eventId: number; zone: string; need: number }>();
  for (const p of valid) {
    if (!events.has(p.eventId)) continue;
    if ('seatLabels' in p) {
      const set = chosen.get(p.eventId) ?? new Set<string>();
      for (const l of p.seatLabels) set.add(l);
      chosen.set(p.eventId, set);
    } else {
      const key = zoneKey(p.eventId, p.zone);
      const z = zones.get(key) ?? { eventId: p.eventId, zone: p.zone, need: 0 };
      z.need += p.count;
      zones.set(key, z);
    }
  }
  const seats = await lockBatchSeats(trx, chosen, zones);
  const liveSeats = await countLiveSeats(trx, userIds, [...events.keys()]);

  // Admission order: the waiting room's queue number, then arrival.
  wanted.sort(
    (a, b) => (a.row.queue_number ?? Infinity) - (b.row.queue_number ?? Infinity) || a.row.id - b.row.id,
  );
  const decided: DecidedRequest[] = [];
  const holds: Hold[] = [];
  for (const { row, payload } of wanted) {
    const reject = (code: string, message: string, details?: RequestOutcome['details']) =>
      decided.push({ row, outcome: { status: 'rejected', code, message, details } });
    const event = payload ? events.get(payload.eventId) : undefined;
    if (!payload || !users.has(row.user_id)) {
      reject(RESERVATION_CODES.invalid, 'This request cannot be processed');
      continue;
    }
    if (!event) {
      reject(RESERVATION_CODES.unknownEvent, `No event ${payload.eventId}`);
      continue;
    }
    const requested = 'seatLabels' in payload ? payload.seatLabels.length : payload.count;
    const liveKey = `${row.user_id}:${event.id}`;
    const live = liveSeats.get(liveKey) ?? 0;
    if (live + requested > event.per_user_limit) {
      reject(
        RESERVATION_CODES.limit,
        `At most ${event.per_user_limit} seats per person for this event; you hold ${live} and asked for ${requested}`,
        { perUserLimit: event.per_user_limit, alreadyHeld: live, requested },
      );
      continue;
    }
    const picked = pickSeats(payload, seats);
    if ('duplicate' in picked) {
      reject(RESERVATION_CODES.invalid, 'A seat is listed twice');
      continue;
    }
    if ('unknown' in picked) {
      reject(RESERVATION_CODES.unknownSeat, `No seat ${picked.unknown.join(', ')}`, {
        seatLabels: picked.unknown,
      });
      continue;
    }
    if ('inactive' in picked) {
      reject(RESERVATION_CODES.inactiveSeat, `No longer for sale: ${picked.inactive.join(', ')}`, {
        seatLabels: picked.inactive,
      });
      continue;
    }
    if ('taken' in picked) {
      // The losers of a race learn which of their seats went, so they can pick others at once.
      reject(RESERVATION_CODES.taken, `Already taken: ${picked.taken.join(', ')}`, {
        takenSeats: picked.taken,
        requestedSeats: picked.requested,
      });
      continue;
    }
    if ('short' in picked) {
      reject(
        RESERVATION_CODES.notEnough,
        `Only ${picked.short} free seats left in ${'zone' in payload ? payload.zone : 'this zone'}`,
        { zone: 'zone' in payload ? payload.zone : null, requested, available: picked.short },
      );
      continue;
    }
    for (const s of picked.seats) {
      s.status = 'held';
      s.holder = row.user_id;
    }
    liveSeats.set(liveKey, live + requested);
    const holdExpiresAt = new Date(now.getTime() + event.hold_ttl_s * 1000);
    const amountCents = picked.seats.reduce((sum, s) => sum + s.priceCents, 0);
    const labels = picked.seats.map((s) => s.label);
    const outcome: RequestOutcome = {
      status: 'committed',
      code: RESERVATION_CODES.held,
      message: `Held ${labels.join(', ')} until ${holdExpiresAt.toISOString()}; pay before then`,
      details: {
        eventId: event.id,
        seats: labels,
        amountCents,
        holdExpiresAt: holdExpiresAt.toISOString(),
      },
    };
    holds.push({ row, eventId: event.id, seats: picked.seats, amountCents, holdExpiresAt, outcome });
    decided.push({ row, outcome });
  }

  const held = await writeHolds(trx, holds);
  await writeOutcomes(trx, decided, now);
  const heldSeats = holds.flatMap((h) =>
    h.seats.map((s) => ({ eventId: h.eventId, label: s.label, status: 'held' as const })),
  );
  return { decided, held, seats: heldSeats };
}

type SeatPick =
  | { seats: SeatState[] }
  | { taken: string[]; requested: string[] }
  | { unknown: string[] }
  /** Chosen seats staff deactivated. */
  | { inactive: string[] }
  | { duplicate: true }
  /** Best available: how many free seats there were. */
  | { short: number };

function pickSeats(p: ReservationPayload, snap: SeatSnapshot): SeatPick {
  if ('seatLabels' in p) {
    const found = p.seatLabels.map((l) => ({ l, s: snap.byLabel.get(labelKey(p.eventId, l)) }));
    const unknown = found.filter((f) => !f.s).map((f) => f.l);
    if (unknown.length > 0) return { unknown };
    const seats = found.map((f) => f.s as SeatState);
    if (new Set(seats).size !== seats.length) return { duplicate: true };
    const inactive = seats.filter((s) => !s.active).map((s) => s.label);
    if (inactive.length > 0) return { inactive };
    const taken = seats.filter((s) => s.status !== 'free').map((s) => s.label);
    return taken.length > 0 ? { taken, requested: seats.map((s) => s.label) } : { seats };
  }
  // The pool also holds this batch's chosen seats of the zone, which may be inactive ones.
  const free = (snap.pools.get(zoneKey(p.eventId, p.zone)) ?? []).filter(
    (s) => s.status === 'free' && s.active,
  );
  return free.length < p.count ? { short: free.length } : { seats: free.slice(0, p.count) };
}

async function loadEvents(trx: Knex.Transaction, ids: number[]): Promise<Map<number, EventRow>> {
  if (ids.length === 0) return new Map();
  const rows = await trx('events')
    .whereIn('id', ids)
    .select<EventRow[]>('id', 'per_user_limit', 'hold_ttl_s');
  return new Map(rows.map((e) => [e.id, e]));
}

/** Live seats (held, paid or confirmed) per `<userId>:<eventId>`. */
async function countLiveSeats(
  trx: Knex.Transaction,
  userIds: number[],
  eventIds: number[],
): Promise<Map<string, number>> {
  if (eventIds.length === 0) return new Map();
  const rows = await trx('reservations as r')
    .join('reservation_seats as rs', 'rs.reservation_id', 'r.id')
    .whereIn('r.user_id', userIds)
    .whereIn('r.event_id', eventIds)
    .whereNotNull('rs.live_seat_id')
    .groupBy('r.user_id', 'r.event_id')
    .select<{ user_id: number; event_id: number; n: number }[]>(
      'r.user_id',
      'r.event_id',
      trx.raw('COUNT(*) AS n'),
    );
  return new Map(rows.map((r) => [`${r.user_id}:${r.event_id}`, Number(r.n)]));
}

async function writeHolds(trx: Knex.Transaction, holds: Hold[]): Promise<ScheduledHold[]> {
  if (holds.length === 0) return [];
  for (let i = 0; i < holds.length; i += CHUNK) {
    await trx('reservations').insert(
      holds.slice(i, i + CHUNK).map((h) => ({
        user_id: h.row.user_id,
        event_id: h.eventId,
        request_id: h.row.id,
        status: 'held',
        amount_cents: h.amountCents,
        hold_expires_at: h.holdExpiresAt,
      })),
    );
  }
  const ids = await trx('reservations')
    .whereIn(
      'request_id',
      holds.map((h) => h.row.id),
    )
    .select<{ id: number; request_id: number }[]>('id', 'request_id');
  const idOf = new Map(ids.map((r) => [r.request_id, r.id]));
  const reservationId = (h: Hold) => {
    const id = idOf.get(h.row.id);
    if (id === undefined) throw new Error(`reservation of request ${h.row.id} not found after insert`);
    return id;
  };

  const seatRows = holds.flatMap((h) =>
    h.seats.map((s) => ({
      reservation_id: reservationId(h),
      seat_id: s.id,
      price_cents: s.priceCents,
      live_seat_id: s.id,
    })),
  );
  for (let i = 0; i < seatRows.length; i += CHUNK) {
    await trx('reservation_seats').insert(seatRows.slice(i, i + CHUNK));
  }
  const seatUpdates = holds.flatMap((h) =>
    h.seats.map((s) => [s.id, h.holdExpiresAt, h.row.user_id] as const),
  );
  for (let i = 0; i < seatUpdates.length; i += CHUNK) {
    const chunk = seatUpdates.slice(i, i + CHUNK);
    const derived = chunk
      .map((_, j) => (j === 0 ? 'SELECT ? AS id, ? AS until, ? AS holder' : 'SELECT ?, ?, ?'))
      .join(' UNION ALL ');
    await trx.raw(
      `UPDATE seats s JOIN (${derived}) v ON s.id = v.id
       SET s.status = 'held', s.held_until = v.until, s.holder_user_id = v.holder`,
      chunk.flat(),
    );
  }
  await trx('audit_log').insert(
    holds.map((h) => ({
      actor_user_id: h.row.user_id,
      entity: 'reservation',
      entity_id: String(reservationId(h)),
      action: 'hold',
      before: null,
      after: JSON.stringify({
        seats: h.seats.map((s) => s.label),
        amountCents: h.amountCents,
        holdExpiresAt: h.holdExpiresAt.toISOString(),
      }),
      request_id: h.row.id,
    })),
  );
  for (const h of holds) {
    if (h.outcome.details) h.outcome.details.reservationId = reservationId(h);
  }
  return holds.map((h) => ({ reservationId: reservationId(h), holdExpiresAt: h.holdExpiresAt }));
}
