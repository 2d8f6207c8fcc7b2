import type { Knex } from 'knex';
import { loadConfig } from '../core/config.js';
import { createDb } from '../core/db.js';
import { loadEnvFile } from '../core/env-file.js';

/**
 * The invariant checker: reads MySQL and reports what must always be zero. Run at the end of every
 * benchmark scenario and by `npm run verify`; exits non-zero when anything is off.
 */
export interface Invariants {
  /** Sections holding more students than seats, or events' seats held/sold beyond one live reservation. */
  oversold: number;
  /** A seat in two live reservations, or a student twice in one course in a term. */
  double_booked: number;
  /** Stored counts that differ from the rows: sections.enrolled vs enrollments, seat status vs live rows. */
  count_mismatches: number;
  /**
   * Enrollments whose section is gone or whose copied term or course differ from their section's: no
   * foreign key holds them (ADR 030), the committer's guarded seat claim does.
   */
  broken_references: number;
  /** Accepted requests not terminal. */
  unresolved: number;
}

const n = (rows: unknown): number => Number((rows as { n?: unknown }[])[0]?.n ?? 0);

export async function checkInvariants(db: Knex): Promise<Invariants> {
  const [oversoldSections, doubleSeats, doubleCourses, sectionMismatch, seatMismatch, broken, unresolved] =
    await Promise.all([
      db.raw(`SELECT COUNT(*) AS n FROM sections s
            WHERE s.enrolled > s.capacity
               OR (SELECT COUNT(*) FROM enrollments e WHERE e.section_id = s.id) > s.capacity`),
      db.raw(`SELECT COUNT(*) AS n FROM (
              SELECT rs.seat_id FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
              WHERE r.status IN ('held', 'paid', 'confirmed') AND rs.released_at IS NULL
              GROUP BY rs.seat_id HAVING COUNT(*) > 1) x`),
      db.raw(`SELECT COUNT(*) AS n FROM (
              SELECT user_id FROM enrollments GROUP BY user_id, term_id, course_id HAVING COUNT(*) > 1) x`),
      db.raw(`SELECT COUNT(*) AS n FROM sections s
            WHERE s.enrolled <> (SELECT COUNT(*) FROM enrollments e WHERE e.section_id = s.id)`),
      // A seat's status must be what its live reservation implies: none → free, held → held, paid or
      // confirmed → sold.
      db.raw(`SELECT COUNT(*) AS n FROM seats st
            LEFT JOIN reservation_seats rs ON rs.live_seat_id = st.id
            LEFT JOIN reservations r ON r.id = rs.reservation_id
            WHERE st.status <> CASE
              WHEN r.status = 'held' THEN 'held'
              WHEN r.status IN ('paid', 'confirmed') THEN 'sold'
              ELSE 'free' END`),
      db.raw(`SELECT COUNT(*) AS n FROM enrollments e LEFT JOIN sections s ON s.id = e.section_id
            WHERE s.id IS NULL OR s.term_id <> e.term_id OR s.course_id <> e.course_id`),
      db.raw(`SELECT COUNT(*) AS n FROM requests WHERE status = 'queued'`),
    ]);
  return {
    oversold: n((oversoldSections as [unknown])[0]),
    double_booked: n((doubleSeats as [unknown])[0]) + n((doubleCourses as [unknown])[0]),
    count_mismatches: n((sectionMismatch as [unknown])[0]) + n((seatMismatch as [unknown])[0]),
    broken_references: n((broken as [unknown])[0]),
    unresolved: n((unresolved as [unknown])[0]),
  };
}

export const allZero = (inv: object) => Object.values(inv).every((v) => v === 0);

async function main(): Promise<void> {
  loadEnvFile();
  const db = createDb(loadConfig(), { poolMax: 2 });
  try {
    const inv = await checkInvariants(db);
    for (const [k, v] of Object.entries(inv)) console.log(`${k.padEnd(18)} ${v}`);
    console.log(JSON.stringify(inv));
    process.exitCode = allZero(inv) ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(`verify: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  });
}
