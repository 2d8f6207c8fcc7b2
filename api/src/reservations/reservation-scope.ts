import type { Knex } from 'knex';
import { UnprocessableError } from '../../../core/errors.js';
import { TtlCache } from '../../../core/ttl-cache.js';
import type { ReservationPayload } from '../../../core/requests/request-types.js';
import {
  eventLimit,
  eventRoomIds,
  eventZones,
  seatLabelsIn,
  type EventLimit,
} from './reservation-read-model.js';

/**
 * What a reservation request touches, checked before anything is recorded: the event exists, every
 * chosen seat exists for it (or the zone does), the number of seats is within the event's per-user
 * limit, and which waiting rooms guard its sale. Seat labels and the zone are returned as the database
 * spells them, so the recorded payload is canonical. The event's limit and its room and zone lists are
 * cached for a few seconds and refreshed ahead of expiry: they change rarely and are read on every
 * submission in a rush. A stale limit
 * only moves an early refusal: the committer checks the limit again against the database (PER_USER_LIMIT).
 */
export class ReservationScope {
  private readonly eventCache: TtlCache<number, EventLimit | undefined>;
  private readonly roomCache: TtlCache<number, number[]>;
  private readonly zoneCache: TtlCache<number, string[]>;

  constructor(
    private readonly db: Knex,
    cacheMs = 5_000,
  ) {
    // An unknown event is not cached (a miss loads again), so an event just created is found at once.
    this.eventCache = new TtlCache(cacheMs, { refreshAhead: true });
    this.roomCache = new TtlCache(cacheMs, { refreshAhead: true });
    this.zoneCache = new TtlCache(cacheMs, { refreshAhead: true });
  }

  async resolve(p: ReservationPayload): Promise<{ payload: ReservationPayload; roomIds: number[] }> {
    const event = await this.eventCache.getOrLoad(p.eventId, () => eventLimit(this.db, p.eventId));
    if (!event) {
      throw new UnprocessableError('UNKNOWN_EVENT', `No event ${p.eventId}`, { eventId: p.eventId });
    }
    const wanted = 'seatLabels' in p ? p.seatLabels.length : p.count;
    if (wanted > event.per_user_limit) {
      throw new UnprocessableError(
        'PER_USER_LIMIT',
        `At most ${event.per_user_limit} seats per person for this event`,
        { perUserLimit: event.per_user_limit, requested: wanted },
      );
    }
    const payload =
      'seatLabels' in p ? await this.seats(event.id, p.seatLabels) : await this.zone(event.id, p);
    return { payload, roomIds: await this.roomsForEvent(event.id) };
  }

  private async seats(eventId: number, labels: string[]): Promise<ReservationPayload> {
    // Labels compare as MySQL compares them (case-insensitive collation, trailing spaces ignored).
    const norm = (l: string) => l.trimEnd().toLowerCase();
    if (new Set(labels.map(norm)).size !== labels.length) {
      throw new UnprocessableError('DUPLICATE_SEAT', 'A seat is listed twice');
    }
    const found = await seatLabelsIn(this.db, eventId, labels);
    const byNorm = new Map(found.map((l) => [norm(l), l]));
    const unknown = labels.filter((l) => !byNorm.has(norm(l)));
    if (unknown.length > 0) {
      throw new UnprocessableError('UNKNOWN_SEAT', `No seat ${unknown.join(', ')} for this event`, {
        seatLabels: unknown,
      });
    }
    return { eventId, seatLabels: labels.map((l) => byNorm.get(norm(l)) as string) };
  }

  private async zone(eventId: number, p: { zone: string; count: number }): Promise<ReservationPayload> {
    const zones = await this.zonesOf(eventId);
    const zone = zones.find((z) => z.toLowerCase() === p.zone.trimEnd().toLowerCase());
    if (!zone) {
      throw new UnprocessableError('UNKNOWN_ZONE', `No zone "${p.zone}" for this event`, {
        zone: p.zone,
        zones,
      });
    }
    return { eventId, zone, count: p.count };
  }

  private zonesOf(eventId: number): Promise<string[]> {
    return this.zoneCache.getOrLoad(eventId, () => eventZones(this.db, eventId));
  }

  private roomsForEvent(eventId: number): Promise<number[]> {
    return this.roomCache.getOrLoad(eventId, () => eventRoomIds(this.db, eventId));
  }
}
