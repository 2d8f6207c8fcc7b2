import type { Knex } from 'knex';
import { writeAudit } from '../../../core/audit.js';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import { NotFoundError } from '../../../core/errors.js';
import { deleteEnrollment, findEnrollment, lockEnrollment, lockSectionCount } from './enrollment-store.js';

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
      const peek = await findEnrollment(trx, enrollmentId);
      if (!peek || peek.user_id !== userId) {
        throw new NotFoundError('ENROLLMENT_NOT_FOUND', `You have no enrollment ${enrollmentId}`);
      }
      const section = await lockSectionCount(trx, peek.section_id);
      const row = await lockEnrollment(trx, enrollmentId);
      // Someone (another tab) dropped it between the peek and the lock.
      if (!row || !section)
        throw new NotFoundError('ENROLLMENT_NOT_FOUND', `You have no enrollment ${enrollmentId}`);
      await deleteEnrollment(trx, enrollmentId, section.id);
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
