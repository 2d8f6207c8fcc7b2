import type { Knex } from 'knex';
import { seedCatalog } from './catalog.js';
import { DEMO_STUDENT_COUNT } from './demo-accounts.js';
import { seedEvents } from './events.js';
import { createRandom } from './random.js';
import { seedRegistrationWindows, seedTerm } from './registration.js';
import { seedWaitingRooms } from './rooms.js';
import { seedUsers } from './students.js';

export interface SeedOptions {
  /** How many students to create; 20,000 unless told otherwise. */
  students?: number;
  /** The instant the demo's times are relative to (windows, sales, pre-queues); the real clock by default. */
  now?: Date;
  /** PRNG seed: the same seed gives the same catalogue, names and capacities. */
  seed?: number;
}

export interface SeedCounts {
  terms: number;
  majors: number;
  professors: number;
  courses: number;
  sections: number;
  sectionMeetings: number;
  registrationWindows: number;
  students: number;
  staff: number;
  events: number;
  flightSeats: number;
  concertSeats: number;
  waitingRooms: number;
}

export const DEFAULT_SEED = 20261122;
// student_number is '2026' followed by five digits.
const MAX_STUDENTS = 99_999;

/** Fills an empty, migrated database with the demo data set. */
export async function seedDemo(db: Knex, opts: SeedOptions = {}): Promise<SeedCounts> {
  const studentCount = opts.students ?? DEMO_STUDENT_COUNT;
  if (!Number.isInteger(studentCount) || studentCount < 0 || studentCount > MAX_STUDENTS) {
    throw new RangeError(`students must be a whole number from 0 to ${MAX_STUDENTS}, got ${studentCount}`);
  }
  const now = opts.now ?? new Date();
  const rnd = createRandom(opts.seed ?? DEFAULT_SEED);

  const term = await seedTerm(db, now);
  const catalog = await seedCatalog(db, rnd, term.id);
  const windows = await seedRegistrationWindows(db, term.id, now);
  const users = await seedUsers(db, rnd, catalog.majorIds, studentCount);
  const events = await seedEvents(db, now);
  const waitingRooms = await seedWaitingRooms(db, now, term, windows, events);

  return {
    terms: 1,
    ...catalog.counts,
    registrationWindows: windows.count,
    ...users,
    events: 2,
    flightSeats: events.flight.seats,
    concertSeats: events.concert.seats,
    waitingRooms,
  };
}

/** True when no user exists: the signal that this database has never been seeded (or used). */
export async function hasNoUsers(db: Knex): Promise<boolean> {
  const row = await db('users').first('id');
  return row === undefined;
}

/** Seeds only a database without users; returns null and changes nothing otherwise. */
export async function seedIfEmpty(db: Knex, opts: SeedOptions = {}): Promise<SeedCounts | null> {
  if (!(await hasNoUsers(db))) return null;
  return seedDemo(db, opts);
}

/**
 * Empties every table except knex's own bookkeeping, so a forced re-seed starts from nothing and leaves
 * no rows pointing at deleted ones. Returns the tables emptied.
 */
export async function truncateAllTables(db: Knex): Promise<string[]> {
  return db.transaction(async (trx) => {
    // One connection throughout: FOREIGN_KEY_CHECKS is per session, and TRUNCATE refuses referenced tables.
    const [rows] = (await trx.raw(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'knex\\_%'",
    )) as [{ name: string }[], unknown];
    const tables = rows.map((r) => r.name).sort();
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0');
    try {
      for (const table of tables) await trx.raw('TRUNCATE TABLE ??', [table]);
    } finally {
      // The connection goes back to the pool; it must not keep foreign keys switched off.
      await trx.raw('SET FOREIGN_KEY_CHECKS = 1');
    }
    return tables;
  });
}
