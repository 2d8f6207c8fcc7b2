import { expect } from 'chai';
import type { ReservationPayload } from '../../../core/requests/request-types.js';
import {
  decideReservation,
  liveSeatsKey,
  pickSeats,
  RESERVATION_CODES,
  type EventState,
  type ReservationSnapshot,
} from './reservation-rules.js';
import { labelKey, zoneKey, type SeatState } from './seat-locks.js';

/**
 * Pure tests of the rules the commit worker applies to its snapshot of locked rows. No database: the
 * committer's writes are covered by worker/src/commit/inactive-refused.test.ts and test/reservation-*.
 */
const NOW = new Date('2027-03-01T10:00:00.000Z');
const EVENT = 7;
const USER = 1;

let nextSeatId = 1;
function seat(label: string, opts: Partial<SeatState> = {}): SeatState {
  return {
    id: nextSeatId++,
    eventId: EVENT,
    label,
    zone: 'main',
    priceCents: 5_000,
    status: 'free',
    holder: null,
    active: true,
    ...opts,
  };
}

/** A snapshot with the event, the user, and the given seats both chosen (by label) and pooled (by zone). */
function snapshot(
  seats: SeatState[],
  opts: { event?: Partial<EventState>; live?: number; users?: number[] } = {},
): ReservationSnapshot {
  const event: EventState = { id: EVENT, perUserLimit: 4, holdTtlS: 600, ...opts.event };
  const pools = new Map<string, SeatState[]>();
  for (const s of seats) {
    const key = zoneKey(s.eventId, s.zone);
    pools.set(key, [...(pools.get(key) ?? []), s]);
  }
  return {
    users: new Set(opts.users ?? [USER]),
    events: new Map([[event.id, event]]),
    liveSeats: new Map(opts.live ? [[liveSeatsKey(USER, EVENT), opts.live]] : []),
    seats: { byLabel: new Map(seats.map((s) => [labelKey(s.eventId, s.label), s])), pools },
  };
}

const chosen = (...seatLabels: string[]): ReservationPayload => ({ eventId: EVENT, seatLabels });
const best = (count: number, zone = 'main'): ReservationPayload => ({ eventId: EVENT, zone, count });
const decide = (payload: ReservationPayload | null, snap: ReservationSnapshot, userId = USER) =>
  decideReservation({ userId, payload }, snap, NOW);

describe('reservation rules (decideReservation)', () => {
  describe('a granted hold', () => {
    it('holds the chosen seats, prices them, and sets the expiry from the event’s hold time', () => {
      const a1 = seat('A1', { priceCents: 3_000 });
      const a2 = seat('A2', { priceCents: 4_500 });
      const snap = snapshot([a1, a2], { event: { holdTtlS: 300 } });
      const d = decide(chosen('A1', 'A2'), snap);
      const until = new Date(NOW.getTime() + 300_000);
      expect(d).to.deep.equal({
        status: 'held',
        eventId: EVENT,
        seats: [a1, a2],
        amountCents: 7_500,
        holdExpiresAt: until,
        outcome: {
          status: 'committed',
          code: RESERVATION_CODES.held,
          message: `Held A1, A2 until ${until.toISOString()}; pay before then`,
          details: {
            eventId: EVENT,
            seats: ['A1', 'A2'],
            amountCents: 7_500,
            holdExpiresAt: until.toISOString(),
          },
        },
      });
    });

    it('applies the hold to the snapshot: the seats are held by the user and count towards the limit', () => {
      const a1 = seat('A1');
      const snap = snapshot([a1, seat('A2')]);
      decide(chosen('A1'), snap);
      expect(a1).to.include({ status: 'held', holder: USER });
      expect(snap.liveSeats.get(liveSeatsKey(USER, EVENT))).to.equal(1);
      // The next request of the batch for the same seat loses it.
      const again = decide(chosen('A1'), { ...snap, users: new Set([USER, 2]) }, 2);
      expect(again.outcome.code).to.equal(RESERVATION_CODES.taken);
    });

    it('holds best-available seats lowest id first, skipping taken and inactive ones', () => {
      const seats = [
        seat('B1', { status: 'sold' }),
        seat('B2', { active: false }),
        seat('B3'),
        seat('B4'),
        seat('B5'),
      ];
      const d = decide(best(2), snapshot(seats));
      expect(d.status).to.equal('held');
      expect(d.status === 'held' && d.seats.map((s) => s.label)).to.deep.equal(['B3', 'B4']);
    });
  });

  describe('INVALID_REQUEST', () => {
    it('refuses a payload that did not parse', () => {
      expect(decide(null, snapshot([seat('A1')])).outcome).to.deep.equal({
        status: 'rejected',
        code: RESERVATION_CODES.invalid,
        message: 'This request cannot be processed',
        details: undefined,
      });
    });

    it('refuses a user who no longer exists', () => {
      expect(decide(chosen('A1'), snapshot([seat('A1')], { users: [] })).outcome.code).to.equal(
        'INVALID_REQUEST',
      );
    });

    it('refuses a seat listed twice (in any case), leaving the seat free', () => {
      const a1 = seat('A1');
      const d = decide(chosen('A1', 'a1'), snapshot([a1]));
      expect(d.outcome).to.include({ code: 'INVALID_REQUEST', message: 'A seat is listed twice' });
      expect(a1.status).to.equal('free');
    });
  });

  it('refuses an event that does not exist with UNKNOWN_EVENT', () => {
    const d = decide({ eventId: 999, seatLabels: ['A1'] }, snapshot([seat('A1')]));
    expect(d.outcome).to.include({ status: 'rejected', code: 'UNKNOWN_EVENT', message: 'No event 999' });
  });

  describe('PER_USER_LIMIT', () => {
    it('counts the seats the user already holds with the ones asked for', () => {
      const d = decide(best(2), snapshot([seat('A1'), seat('A2')], { event: { perUserLimit: 4 }, live: 3 }));
      expect(d.outcome).to.deep.include({
        status: 'rejected',
        code: RESERVATION_CODES.limit,
        details: { perUserLimit: 4, alreadyHeld: 3, requested: 2 },
      });
    });

    it('holds up to exactly the limit', () => {
      const d = decide(best(1), snapshot([seat('A1')], { event: { perUserLimit: 4 }, live: 3 }));
      expect(d.outcome.code).to.equal('SEATS_HELD');
    });

    it('is checked before the seats, so a user over the limit learns that, not which seats went', () => {
      const d = decide(chosen('A1'), snapshot([seat('A1', { status: 'held' })], { live: 4 }));
      expect(d.outcome.code).to.equal('PER_USER_LIMIT');
    });
  });

  it('refuses a seat the event does not have with UNKNOWN_SEAT, naming it', () => {
    const d = decide(chosen('A1', 'Z9'), snapshot([seat('A1')]));
    expect(d.outcome).to.deep.include({
      code: 'UNKNOWN_SEAT',
      message: 'No seat Z9',
      details: { seatLabels: ['Z9'] },
    });
  });

  it('refuses a chosen seat staff deactivated with SEAT_INACTIVE, naming it', () => {
    const d = decide(chosen('A1', 'A2'), snapshot([seat('A1'), seat('A2', { active: false })]));
    expect(d.outcome).to.deep.include({ code: 'SEAT_INACTIVE', details: { seatLabels: ['A2'] } });
  });

  it('refuses with SEATS_TAKEN, naming the seats that went and the ones asked for', () => {
    const snap = snapshot([seat('A1'), seat('A2', { status: 'held' }), seat('A3', { status: 'sold' })]);
    const d = decide(chosen('A1', 'A2', 'A3'), snap);
    expect(d.outcome).to.deep.include({
      status: 'rejected',
      code: RESERVATION_CODES.taken,
      message: 'Already taken: A2, A3',
      details: { takenSeats: ['A2', 'A3'], requestedSeats: ['A1', 'A2', 'A3'] },
    });
    // Nothing of a refused request is held: the free seat stays free.
    expect(snap.seats.byLabel.get(labelKey(EVENT, 'A1'))?.status).to.equal('free');
    expect(snap.liveSeats.size).to.equal(0);
  });

  it('refuses best available with NOT_ENOUGH_SEATS, saying how many were free', () => {
    const d = decide(best(3), snapshot([seat('A1'), seat('A2'), seat('A3', { status: 'held' })]));
    expect(d.outcome).to.deep.include({
      code: RESERVATION_CODES.notEnough,
      message: 'Only 2 free seats left in main',
      details: { zone: 'main', requested: 3, available: 2 },
    });
  });

  it('refuses best available in a zone with no seats at all', () => {
    const d = decide(best(1, 'balcony'), snapshot([seat('A1')]));
    expect(d.outcome).to.deep.include({
      code: 'NOT_ENOUGH_SEATS',
      details: { zone: 'balcony', requested: 1, available: 0 },
    });
  });
});

describe('reservation rules (pickSeats)', () => {
  it('finds chosen seats whatever the case and trailing spaces of their labels', () => {
    const a1 = seat('A1');
    expect(pickSeats(chosen('a1 '), snapshot([a1]).seats)).to.deep.equal({ seats: [a1] });
  });

  it('reports unknown labels before anything else', () => {
    const snap = snapshot([seat('A1', { status: 'sold' })]);
    expect(pickSeats(chosen('A1', 'Q1', 'A1'), snap.seats)).to.deep.equal({ unknown: ['Q1'] });
  });
});
