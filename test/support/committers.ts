import type { Knex } from 'knex';
import { RequestCommitter } from '../../worker/src/commit/request-committer.js';
import { commitEnrollmentBatch } from '../../worker/src/enrollments/enrollment-committer.js';
import { reservationCommitter } from '../../worker/src/reservations/reservation-committer.js';
import { testLogger } from './silent-logger.js';

/**
 * The reservation committer with nothing after the commit: no hold-expiry job is scheduled and nothing
 * is pushed, for tests that look only at the rows a batch writes.
 */
export const rowsOnlyReservationCommitter = () =>
  reservationCommitter({
    holds: { schedule: () => Promise.resolve() },
    live: { publish: () => Promise.resolve() },
    logger: testLogger,
  });

/** A RequestCommitter for tests that call it directly, as a commit worker would (rows only, as above). */
export const testRequestCommitter = (db: Knex): RequestCommitter =>
  new RequestCommitter(db, testLogger, {
    enrollment: commitEnrollmentBatch,
    reservation: rowsOnlyReservationCommitter(),
  });
