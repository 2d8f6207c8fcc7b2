import type { Knex } from 'knex';
import { addMinutes, ceilToMinutes } from './dates.js';
import type { SeededEvents } from './events.js';
import type { SeededTerm, SeededWindows } from './registration.js';

/**
 * One waiting room per sale and one for the open registration window. Pre-queues open minutes from now,
 * so someone trying the demo joins before opening and sees the random draw happen.
 */
export async function seedWaitingRooms(
  db: Knex,
  now: Date,
  term: SeededTerm,
  windows: SeededWindows,
  events: SeededEvents,
): Promise<number> {
  const soon = ceilToMinutes(now, 5);
  const rooms = [
    {
      slug: `${term.code.toLowerCase()}-registration`,
      name: `${term.name} course registration`,
      kind: 'registration',
      registration_window_id: windows.demo.id,
      admission_rate_per_min: 3_000,
      max_active: 2_000,
      token_ttl_s: 600,
      prequeue_opens_at: addMinutes(windows.demo.opensAt, -10),
      opens_at: windows.demo.opensAt,
      closes_at: windows.demo.closesAt,
    },
    {
      slug: 'rl101-seoul-jeju',
      name: `${events.flight.title}: seat sale`,
      kind: 'sale',
      event_id: events.flight.id,
      admission_rate_per_min: 600,
      max_active: 500,
      token_ttl_s: 600,
      prequeue_opens_at: addMinutes(soon, 20),
      opens_at: addMinutes(soon, 30),
      closes_at: addMinutes(events.flight.startsAt, -120),
    },
    {
      slug: 'aurora-lights-seoul',
      name: `${events.concert.title}: ticket sale`,
      kind: 'sale',
      event_id: events.concert.id,
      admission_rate_per_min: 1_200,
      max_active: 1_000,
      token_ttl_s: 600,
      prequeue_opens_at: addMinutes(soon, 30),
      opens_at: addMinutes(soon, 45),
      closes_at: events.concert.startsAt,
    },
  ];
  await db('waiting_rooms').insert(rooms);
  return rooms.length;
}
