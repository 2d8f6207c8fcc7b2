import type { Knex } from 'knex';
import { writeAudit } from '../../../core/audit.js';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import { NotFoundError } from '../../../core/errors.js';

interface EnrollmentRow {
  id: number;
  user_id: number;
  section_id: number;
  course_id: number;
  term_id: number;
}

/**
 * Drops an enrollment and frees its seat in one transaction, audited. The section row is locked before
 * the enrollment, the same order the commit worker uses, so a drop and a commit never deadlock.
 */
export function dropEnrollment(
  db: Knex,
  userId: number,
  enrollmentId: number,
): Promise<{ sectionId: number }> {
  return retryOnLockConflict(() =>
    db.transaction(async (trx) => {
      const peek = await trx<EnrollmentRow>('enrollments').where({ id: enrollmentId }).first();
      if (!peek || peek.user_id !== userId) {
        throw new NotFoundError('ENROLLMENT_NOT_FOUND', `You have no enrollment ${enrollmentId}`);
      }
      const section = await trx('sections')
        .where({ id: peek.section_id })
        .first<{ id: number; enrolled: number } | undefined>('id', 'enrolled')
        .forUpdate();
      const row = await trx<EnrollmentRow>('enrollments').where({ id: enrollmentId }).first().forUpdate();
      // Someone (another tab) dropped it between the peek and the lock.
      if (!row || !section)
        throw new NotFoundError('ENROLLMENT_NOT_FOUND', `You have no enrollment ${enrollmentId}`);
      await trx('enrollments').where({ id: enrollmentId }).delete();
      await trx('sections').where({ id: section.id }).decrement('enrolled', 1);
      await writeAudit(trx, {
        actorUserId: userId,
        entity: 'enrollment',
        entityId: enrollmentId,
        action: 'drop',
        before: row,
        after: { sectionEnrolled: section.enrolled - 1 },
      });
      return { sectionId: section.id };
    }),
  );
}
