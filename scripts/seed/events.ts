import type { Knex } from 'knex';
import { insertInChunks } from './bulk-insert.js';
import { atUtc } from './dates.js';

export interface SeededEvent {
  id: number;
  title: string;
  startsAt: Date;
  seats: number;
}

export interface SeededEvents {
  flight: SeededEvent;
  concert: SeededEvent;
}

interface SeatRow {
  event_id: number;
  label: string;
  zone: string;
  price_cents: number;
  /** Where the seat map draws it: the row's name and a grid cell, gaps (aisles, missing letters) included. */
  row_label: string;
  pos_x: number;
  pos_y: number;
}

export async function seedEvents(db: Knex, now: Date): Promise<SeededEvents> {
  return { flight: await seedFlight(db, now), concert: await seedConcert(db, now) };
}

async function insertEvent(db: Knex, row: Record<string, unknown>): Promise<number> {
  const [id] = await db('events').insert(row);
  if (id === undefined) throw new Error('seed: inserting an event returned no id');
  return id;
}

// An A321-style cabin: business rows 1-5 seat 2-2 (no B or E), economy rows 6-52 seat 3-3.
const BUSINESS_ROWS = 5;
const LAST_ROW = 52;
const EXIT_ROWS = new Set([26, 27]);
// Map columns: A B C, the aisle (column 3), D E F. Business seats keep their letters' columns, so its
// wider 2-2 rows line up with economy's window and aisle seats.
const CABIN_COLUMN: Record<string, number> = { A: 0, B: 1, C: 2, D: 4, E: 5, F: 6 };

async function seedFlight(db: Knex, now: Date): Promise<SeededEvent> {
  const title = 'RL 101 Seoul → Jeju';
  const startsAt = atUtc(now, 14, 23, 30);
  const id = await insertEvent(db, {
    kind: 'flight',
    title,
    venue: 'Gimpo International (GMP) → Jeju International (CJU)',
    starts_at: startsAt,
    description:
      'Morning flight, 1 h 10 min. Seats are assigned at booking; hand luggage only on saver fares.',
    per_user_limit: 6,
    hold_ttl_s: 600,
  });
  const seats: SeatRow[] = [];
  for (let row = 1; row <= LAST_ROW; row++) {
    const business = row <= BUSINESS_ROWS;
    const letters = business ? ['A', 'C', 'D', 'F'] : ['A', 'B', 'C', 'D', 'E', 'F'];
    // Extra legroom (front of economy, exit rows) costs more.
    const price = business ? 18_900 : row <= 10 || EXIT_ROWS.has(row) ? 8_900 : 6_900;
    for (const letter of letters) {
      seats.push({
        event_id: id,
        label: `${row}${letter}`,
        zone: business ? 'business' : 'economy',
        price_cents: price,
        row_label: String(row),
        pos_x: CABIN_COLUMN[letter] as number,
        pos_y: row - 1,
      });
    }
  }
  await insertInChunks(db, 'seats', seats);
  return { id, title, startsAt, seats: seats.length };
}

const ROW_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface ArenaZone {
  zone: string;
  prefix: string;
  rows: number;
  seatsPerRow: number;
  /** Price by row index (0 = front). */
  price: (row: number) => number;
}

const ARENA: readonly ArenaZone[] = [
  { zone: 'floor', prefix: 'F', rows: 20, seatsPerRow: 60, price: (r) => (r < 5 ? 24_900 : 19_900) },
  { zone: 'lower', prefix: 'L', rows: 26, seatsPerRow: 80, price: (r) => (r < 10 ? 14_900 : 11_900) },
  { zone: 'upper', prefix: 'U', rows: 26, seatsPerRow: 70, price: (r) => (r < 13 ? 7_900 : 5_900) },
];

/** The arena's map: zones stacked front to back, one empty row between them, each centred on the widest. */
const ARENA_WIDTH = Math.max(...ARENA.map((z) => z.seatsPerRow));
const ZONE_GAP_ROWS = 1;

async function seedConcert(db: Knex, now: Date): Promise<SeededEvent> {
  const title = 'Aurora Lights: World Tour 2027, Seoul';
  // 19:00 in Seoul.
  const startsAt = atUtc(now, 21, 10, 0);
  const id = await insertEvent(db, {
    kind: 'concert',
    title,
    venue: 'Rushline Arena, Seoul',
    starts_at: startsAt,
    description: 'Doors open 17:30. Floor seats are numbered; no re-entry.',
    per_user_limit: 4,
    hold_ttl_s: 600,
  });
  const seats: SeatRow[] = [];
  let top = 0;
  for (const z of ARENA) {
    const left = Math.floor((ARENA_WIDTH - z.seatsPerRow) / 2);
    for (let r = 0; r < z.rows; r++) {
      for (let n = 1; n <= z.seatsPerRow; n++) {
        seats.push({
          event_id: id,
          label: `${z.prefix}-${ROW_LETTERS[r]}-${n}`,
          zone: z.zone,
          price_cents: z.price(r),
          row_label: `${z.prefix}-${ROW_LETTERS[r]}`,
          pos_x: left + n - 1,
          pos_y: top + r,
        });
      }
    }
    top += z.rows + ZONE_GAP_ROWS;
  }
  await insertInChunks(db, 'seats', seats);
  return { id, title, startsAt, seats: seats.length };
}
