import type { Knex } from 'knex';

export interface EnrollmentRow {
  id: number;
  user_id: number;
  section_id: number;
  course_id: number;
  term_id: number;
}

/**
 * The enrollment rows the api changes (a student's drop) and the section seat counter beside them. The
 * commit worker creates enrollments; lock a section before its enrollments, as the worker does.
 */
export const findEnrollment = (db: Knex, id: number): Promise<EnrollmentRow | undefined> =>
  db<EnrollmentRow>('enrollments').where({ id }).first();

export const lockEnrollment = (trx: Knex.Transaction, id: number): Promise<EnrollmentRow | undefined> =>
  trx<EnrollmentRow>('enrollments').where({ id }).first().forUpdate();

export const lockSectionCount = (
  trx: Knex.Transaction,
  sectionId: number,
): Promise<{ id: number; enrolled: number } | undefined> =>
  trx('sections')
    .where({ id: sectionId })
    .first<{ id: number; enrolled: number } | undefined>('id', 'enrolled')
    .forUpdate();

/** Deletes an enrollment and gives its seat back to the section. Call with both rows locked. */
export async function deleteEnrollment(
  trx: Knex.Transaction,
  enrollmentId: number,
  sectionId: number,
): Promise<void> {
  await trx('enrollments').where({ id: enrollmentId }).delete();
  await trx('sections').where({ id: sectionId }).decrement('enrolled', 1);
}
