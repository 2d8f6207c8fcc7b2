import type { Knex } from 'knex';
import type { LivePublisher } from '../../../core/live-publisher.js';
import type { Logger } from '../../../core/logger.js';
import { parseJson, type RequestRow } from '../../../core/requests/request-store.js';
import { reservationPayload } from '../../../core/requests/request-types.js';
import { writeOutcomes, type DecidedRequest } from '../commit/outcome-writer.js';
import { lockQueuedRequests, sortByAdmission } from '../commit/queued-requests.js';
import type { BatchCommit } from '../commit/request-committer.js';
import type { HoldExpiryQueue, ScheduledHold } from './hold-expiry-queue.js';
import {
  decideReservation,
  liveSeatsKey,
  type EventState,
  type ReservationDecision,
  type ReservationSnapshot,
} from './reservation-rules.js';
import { lockBatchSeats, zoneKey } from './seat-locks.js';

interface EventRow {
  id: number;
  per_user_limit: number;
  hold_ttl_s: number;
}

/** A request the rules granted, with its seats: what writeHolds turns into rows. */
type Hold = Extract<ReservationDecision, { status: 'held' }> & { row: RequestRow };

const CHUNK = 1_000;

/** A seat the batch held, for the events' watchers. */
interface HeldSeat {
  eventId: number;
  label: string;
  status: 'held';
}

export interface ReservationCommitDeps {
  /** Where each new hold's expiry job goes. */
  holds: Pick<HoldExpiryQueue, 'schedule'>;
  /** Tells the events' watchers which seats the batch held. */
  live: Pick<LivePublisher, 'publish'>;
  logger: Logger;
}

/**
 * The reservation committer, the one way reservation requests are committed: a BatchCommit that decides
 * and writes a batch (see commitInTransaction) and, once the transaction has committed, schedules each
 * new hold's expiry job and tells the events' watchers which seats the batch held (one `seats:changed`
 * per event for the whole batch).
 */
export function reservationCommitter({ holds, live, logger }: ReservationCommitDeps): BatchCommit {
  return async (trx, requestIds, now) => {
    const { decided, held, seats } = await commitInTransaction(trx, requestIds, now);
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
            live.publish({ seats }),
          ]),
        () => undefined,
      );
    }
    return decided;
  };
}

/**
 * Commits a batch of reservation requests in ONE transaction, like the enrollment committer: rows are
 * locked once, in a fixed order (requests, then users, then seats, each by id; see seat-locks.ts for the
 * seats), each request is decided in admission order (`queue_number`, then id) against that snapshot by
 * the rules (reservation-rules.ts), and the writes go out in a few bulk statements with the outcomes.
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
async function commitInTransaction(
  trx: Knex.Transaction,
  requestIds: number[],
  now: Date,
): Promise<{ decided: DecidedRequest[]; held: ScheduledHold[]; seats: HeldSeat[] }> {
  const requests = await lockQueuedRequests(trx, requestIds, 'reservation');
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
  const snapshot: ReservationSnapshot = {
    users,
    events,
    seats: await lockBatchSeats(trx, chosen, zones),
    liveSeats: await countLiveSeats(trx, userIds, [...events.keys()]),
  };

  const decided: DecidedRequest[] = [];
  const holds: Hold[] = [];
  for (const { row, payload } of sortByAdmission(wanted)) {
    const d = decideReservation({ userId: row.user_id, payload }, snapshot, now);
    if (d.status === 'held') holds.push({ row, ...d });
    decided.push({ row, outcome: d.outcome });
  }

  const held = await writeHolds(trx, holds);
  await writeOutcomes(trx, decided, now);
  const heldSeats = holds.flatMap((h) =>
    h.seats.map((s) => ({ eventId: h.eventId, label: s.label, status: 'held' as const })),
  );
  return { decided, held, seats: heldSeats };
}

async function loadEvents(trx: Knex.Transaction, ids: number[]): Promise<Map<number, EventState>> {
  if (ids.length === 0) return new Map();
  const rows = await trx('events')
    .whereIn('id', ids)
    .select<EventRow[]>('id', 'per_user_limit', 'hold_ttl_s');
  return new Map(
    rows.map((e) => [e.id, { id: e.id, perUserLimit: e.per_user_limit, holdTtlS: e.hold_ttl_s }]),
  );
}

/** Live seats (held, paid or confirmed) per `liveSeatsKey(userId, eventId)`. */
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
  return new Map(rows.map((r) => [liveSeatsKey(r.user_id, r.event_id), Number(r.n)]));
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
