import type { Knex } from 'knex';
import { z } from 'zod';
import { eventChannel } from '../../../core/live-events.js';
import { TtlCache } from '../../../core/ttl-cache.js';
import type { LiveSocket } from './live-socket.js';

const eventMsg = z.object({ eventId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/** A page shows one seat map, perhaps a few in tabs; more is a client gone wrong, not a person. */
export const MAX_WATCHED_EVENTS = 20;

/**
 * `watch:event` / `unwatch:event`: a socket joins or leaves the event's channel, where whoever changes
 * seats (worker, api) publishes one `seats:changed` per committed change. Joining is local to this
 * process (the Redis adapter forwards every published message), so it costs nothing in Redis.
 * `eventExists` answers whether there is such an event (cached by the caller).
 */
export function handleEventWatch(
  socket: LiveSocket,
  eventExists?: (eventId: number) => Promise<boolean>,
): void {
  socket.on('watch:event', (msg, ack) => {
    if (typeof ack !== 'function') return;
    const parsed = eventMsg.safeParse(msg);
    if (!parsed.success) {
      ack({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: 'watch:event needs { eventId: <positive integer> }' },
      });
      return;
    }
    const channel = eventChannel(parsed.data.eventId);
    const watched = [...socket.rooms].filter((r) => r.startsWith('event:') && r !== channel).length;
    if (watched >= MAX_WATCHED_EVENTS) {
      ack({
        ok: false,
        error: {
          code: 'TOO_MANY_WATCHES',
          message: `At most ${MAX_WATCHED_EVENTS} events at once; unwatch:event one first`,
        },
      });
      return;
    }
    (eventExists ? eventExists(parsed.data.eventId) : Promise.resolve(true))
      .then(async (found) => {
        if (!found) {
          ack({ ok: false, error: { code: 'EVENT_NOT_FOUND', message: `No event ${parsed.data.eventId}` } });
          return;
        }
        await socket.join(channel);
        ack({ ok: true });
      })
      .catch(() => {
        ack({ ok: false, error: { code: 'INTERNAL', message: 'Could not follow the event; try again' } });
      });
  });
  socket.on('unwatch:event', (msg) => {
    const parsed = eventMsg.safeParse(msg);
    if (parsed.success) void socket.leave(eventChannel(parsed.data.eventId));
  });
}

/**
 * Whether an event exists, from MySQL, remembered for a minute when it does (every watcher of a sale asks
 * again on each reconnect); an unknown id is asked again next time, so a new event is found at once.
 */
export function eventExistsIn(db: Knex, cacheMs = 60_000): (eventId: number) => Promise<boolean> {
  const known = new TtlCache<number, true>(cacheMs);
  return async (eventId) => {
    if (known.get(eventId)) return true;
    const row = await db('events').where({ id: eventId }).first<{ id: number } | undefined>('id');
    if (row) known.set(eventId, true);
    return row !== undefined;
  };
}
