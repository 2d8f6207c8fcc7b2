import type { Knex } from 'knex';
import { addMinutes, ceilToMinutes } from './dates.js';
import { DEMO_OPENS_IN_MIN, DEMO_ROOM_SLUGS } from './demo-schedule.js';
import type { SeededEvents } from './events.js';
import type { SeededTerm, SeededWindows } from './registration.js';

/**
 * One waiting room per sale and one for the open registration window. Pre-queues are open at once and
 * the rooms open minutes later (demo-schedule.ts), so someone trying the demo joins before the opening
 * and sees the random draw happen.
 */
export async function seedWaitingRooms(
  db: Knex,
  now: Date,
  term: SeededTerm,
  windows: SeededWindows,
  events: SeededEvents,
): Promise<number> {
  const minute = ceilToMinutes(now, 1);
  const rooms = [
    {
      slug: DEMO_ROOM_SLUGS.registration(term.code),
      name: `${term.name} course registration`,
      kind: 'registration',
      registration_window_id: windows.demo.id,
      admission_rate_per_min: 3_000,
      max_active: 2_000,
      token_ttl_s: 600,
      prequeue_opens_at: now,
      opens_at: windows.demo.opensAt,
      closes_at: windows.demo.closesAt,
    },
    {
      slug: DEMO_ROOM_SLUGS.flight,
      name: `${events.flight.title}: seat sale`,
      kind: 'sale',
      event_id: events.flight.id,
      admission_rate_per_min: 600,
      max_active: 500,
      token_ttl_s: 600,
      prequeue_opens_at: now,
      opens_at: addMinutes(minute, DEMO_OPENS_IN_MIN.flight),
      closes_at: addMinutes(events.flight.startsAt, -120),
    },
    {
      slug: DEMO_ROOM_SLUGS.concert,
      name: `${events.concert.title}: ticket sale`,
      kind: 'sale',
      event_id: events.concert.id,
      admission_rate_per_min: 1_200,
      max_active: 1_000,
      token_ttl_s: 600,
      prequeue_opens_at: now,
      opens_at: addMinutes(minute, DEMO_OPENS_IN_MIN.concert),
      closes_at: events.concert.startsAt,
    },
  ];
  await db('waiting_rooms').insert(rooms);
  return rooms.length;
}
