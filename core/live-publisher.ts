import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from './redis.js';
import {
  eventChannel,
  type PersonalPush,
  type ServerSideEvents,
  type ServerToClientEvents,
} from './live-events.js';
import type { Logger } from './logger.js';
import { countPush } from './metrics/live-metrics.js';
import type { UserNotification } from './notifications/notification-store.js';
import { toReservationUpdate, type ReservationRow } from './reservations/reservation-store.js';
import { redisKeys } from './redis-keys.js';
import type { SeatChanges, SeatStatus } from './views/sale-views.js';

/** What one committed reservation transaction changed, for the pushes after its commit. */
export interface ReservationChange {
  /** The reservation as the transaction left it. */
  reservation: ReservationRow;
  seats: string[];
  /** What its seats became, when the transaction changed them (freed on expiry or cancel, sold on payment). */
  seatStatus: SeatStatus | null;
  notification: UserNotification | null;
}

export interface LiveNews {
  notifications?: readonly UserNotification[];
  /** Seats changed by one committed batch: one `seats:changed` per event goes out for all of them. */
  seats?: readonly { eventId: number; label: string; status: SeatStatus }[];
  reservations?: readonly ReservationChange[];
}

/**
 * Pushes from any process (api, worker) to sockets held by the waiting rooms, through the socket.io
 * Redis channel: personal news to `user:<id>`, seat changes to `event:<id>`. Call it only after the
 * transaction that made the change has committed, so nobody hears of a change that was rolled back.
 * Everything of one call goes out in one pipeline. A push is a courtesy (the rows are the record, and a
 * client re-reads on reconnect), so a failure is logged, never thrown into the caller's answer.
 */
export class LivePublisher {
  private pending: [string, Buffer | string][] = [];
  private readonly emitter: Emitter<ServerToClientEvents>;

  constructor(
    private readonly redis: Pick<Redis, 'pipeline'>,
    prefix: string,
    private readonly logger: Logger,
  ) {
    // The emitter only ever calls `publish`: it is handed a collector, so one call's messages share a pipeline.
    const collector = {
      publish: (channel: string, msg: Buffer | string) => void this.pending.push([channel, msg]),
    };
    this.emitter = new Emitter<ServerToClientEvents>(collector, { key: redisKeys(prefix).socketChannel });
  }

  async publish(news: LiveNews, at = new Date()): Promise<void> {
    const seats = [...(news.seats ?? [])];
    const notifications = [...(news.notifications ?? [])];
    // Synchronous from here to the pipeline: nothing else can add to `pending` in between.
    const pushes: PersonalPush[] = [];
    for (const c of news.reservations ?? []) {
      pushes.push({
        userId: c.reservation.user_id,
        event: 'reservation:update',
        data: toReservationUpdate(c.reservation, c.seats, at),
      });
      if (c.notification) notifications.push(c.notification);
      if (c.seatStatus) {
        const status = c.seatStatus;
        for (const label of c.seats) seats.push({ eventId: c.reservation.event_id, label, status });
      }
    }
    for (const n of notifications) pushes.push({ userId: n.userId, event: 'notification:new', data: n.view });
    sendPersonal(this.emitter, pushes);
    for (const changes of seatChangesByEvent(seats, at)) {
      this.emitter.to(eventChannel(changes.eventId)).emit('seats:changed', changes);
      countPush('seats:changed');
    }
    const messages = this.pending.splice(0);
    if (messages.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const [channel, msg] of messages) pipe.publish(channel, msg);
    try {
      const results = await pipe.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0] as Error;
    } catch (err) {
      this.logger.warn({ err, messages: messages.length }, 'live push failed; clients re-read on reconnect');
    }
  }
}

/**
 * Personal messages for many people as one server-side event: each waiting-room process delivers the
 * ones whose sockets it holds (waiting-room/src/live/personal-pushes.ts, ADR 018).
 */
export function sendPersonal(emitter: Emitter<ServerToClientEvents>, pushes: readonly PersonalPush[]): void {
  // The emitter's serverSideEmit is untyped: the event name is checked against the map here.
  const event: keyof ServerSideEvents = 'personal:many';
  if (pushes.length > 0) emitter.serverSideEmit(event, pushes);
  for (const p of pushes) countPush(p.event);
}

/** One SeatChanges per event, its seats in the order given (a seat changed twice keeps its last status). */
export function seatChangesByEvent(
  seats: readonly { eventId: number; label: string; status: SeatStatus }[],
  at: Date,
): SeatChanges[] {
  const byEvent = new Map<number, Map<string, SeatStatus>>();
  for (const s of seats) {
    const m = byEvent.get(s.eventId) ?? new Map<string, SeatStatus>();
    m.delete(s.label);
    m.set(s.label, s.status);
    byEvent.set(s.eventId, m);
  }
  return [...byEvent].map(([eventId, m]) => ({
    eventId,
    seats: [...m].map(([label, status]) => ({ label, status })),
    at: at.toISOString(),
  }));
}
