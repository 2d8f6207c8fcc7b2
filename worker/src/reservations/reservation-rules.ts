import type { RequestOutcome, ReservationPayload } from '../../../core/requests/request-types.js';
import { labelKey, zoneKey, type SeatSnapshot, type SeatState } from './seat-locks.js';

/**
 * The reservation rules as pure functions over a snapshot of the locked rows, like the enrollment rules:
 * one transaction decides a whole batch in memory, in admission order, exactly as if each request ran
 * alone in turn.
 */
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

export interface EventState {
  id: number;
  perUserLimit: number;
  holdTtlS: number;
}

/** What the batch locked and read, updated by each hold so the next decision sees it. */
export interface ReservationSnapshot {
  /** The requesting users that exist (locked). */
  users: Set<number>;
  events: Map<number, EventState>;
  /** Live seats (held, paid or confirmed) per `liveSeatsKey(userId, eventId)`. */
  liveSeats: Map<string, number>;
  seats: SeatSnapshot;
}

export const liveSeatsKey = (userId: number, eventId: number): string => `${userId}:${eventId}`;

export interface ReservationRequest {
  userId: number;
  /** Null when the stored payload does not parse. */
  payload: ReservationPayload | null;
}

export type ReservationDecision =
  | { status: 'rejected'; outcome: RequestOutcome }
  | {
      status: 'held';
      eventId: number;
      seats: SeatState[];
      amountCents: number;
      holdExpiresAt: Date;
      /** Its details get the reservation id once the hold is written. */
      outcome: RequestOutcome;
    };

type SeatPick =
  | { seats: SeatState[] }
  | { taken: string[]; requested: string[] }
  | { unknown: string[] }
  /** Chosen seats staff deactivated. */
  | { inactive: string[] }
  | { duplicate: true }
  /** Best available: how many free seats there were. */
  | { short: number };

/** The seats a request would get, or why it can't have them. */
export function pickSeats(p: ReservationPayload, snap: SeatSnapshot): SeatPick {
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

/**
 * Decides one reservation request against the snapshot and, when it is granted, applies the hold to the
 * snapshot (its seats become held by the user, the user's live seats for the event grow), so the next
 * decision sees it. A rejection carries its code and the details the buyer needs to choose again.
 */
export function decideReservation(
  request: ReservationRequest,
  snap: ReservationSnapshot,
  now: Date,
): ReservationDecision {
  const reject = (
    code: string,
    message: string,
    details?: RequestOutcome['details'],
  ): ReservationDecision => ({
    status: 'rejected',
    outcome: { status: 'rejected', code, message, details },
  });
  const { payload, userId } = request;
  if (!payload || !snap.users.has(userId)) {
    return reject(RESERVATION_CODES.invalid, 'This request cannot be processed');
  }
  const event = snap.events.get(payload.eventId);
  if (!event) return reject(RESERVATION_CODES.unknownEvent, `No event ${payload.eventId}`);
  const requested = 'seatLabels' in payload ? payload.seatLabels.length : payload.count;
  const liveKey = liveSeatsKey(userId, event.id);
  const live = snap.liveSeats.get(liveKey) ?? 0;
  if (live + requested > event.perUserLimit) {
    return reject(
      RESERVATION_CODES.limit,
      `At most ${event.perUserLimit} seats per person for this event; you hold ${live} and asked for ${requested}`,
      { perUserLimit: event.perUserLimit, alreadyHeld: live, requested },
    );
  }
  const picked = pickSeats(payload, snap.seats);
  if ('duplicate' in picked) return reject(RESERVATION_CODES.invalid, 'A seat is listed twice');
  if ('unknown' in picked) {
    return reject(RESERVATION_CODES.unknownSeat, `No seat ${picked.unknown.join(', ')}`, {
      seatLabels: picked.unknown,
    });
  }
  if ('inactive' in picked) {
    return reject(RESERVATION_CODES.inactiveSeat, `No longer for sale: ${picked.inactive.join(', ')}`, {
      seatLabels: picked.inactive,
    });
  }
  if ('taken' in picked) {
    // The losers of a race learn which of their seats went, so they can pick others at once.
    return reject(RESERVATION_CODES.taken, `Already taken: ${picked.taken.join(', ')}`, {
      takenSeats: picked.taken,
      requestedSeats: picked.requested,
    });
  }
  if ('short' in picked) {
    return reject(
      RESERVATION_CODES.notEnough,
      `Only ${picked.short} free seats left in ${'zone' in payload ? payload.zone : 'this zone'}`,
      { zone: 'zone' in payload ? payload.zone : null, requested, available: picked.short },
    );
  }
  for (const s of picked.seats) {
    s.status = 'held';
    s.holder = userId;
  }
  snap.liveSeats.set(liveKey, live + requested);
  const holdExpiresAt = new Date(now.getTime() + event.holdTtlS * 1000);
  const amountCents = picked.seats.reduce((sum, s) => sum + s.priceCents, 0);
  const labels = picked.seats.map((s) => s.label);
  return {
    status: 'held',
    eventId: event.id,
    seats: picked.seats,
    amountCents,
    holdExpiresAt,
    outcome: {
      status: 'committed',
      code: RESERVATION_CODES.held,
      message: `Held ${labels.join(', ')} until ${holdExpiresAt.toISOString()}; pay before then`,
      details: { eventId: event.id, seats: labels, amountCents, holdExpiresAt: holdExpiresAt.toISOString() },
    },
  };
}
