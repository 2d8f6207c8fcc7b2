import type { Knex } from 'knex';
import type { EnrollmentView } from '../../../core/views/enrollment-view.js';

/** A student's enrollments with their section and course, oldest first. */
export async function listEnrollments(db: Knex, userId: number): Promise<EnrollmentView[]> {
  const rows = await db('enrollments as e')
    .join('sections as s', 's.id', 'e.section_id')
    .join('courses as c', 'c.id', 'e.course_id')
    .where('e.user_id', userId)
    .orderBy('e.id')
    .select<(Omit<EnrollmentView, 'enrolledAt'> & { enrolledAt: Date })[]>(
      'e.id',
      'e.section_id as sectionId',
      's.section_number as sectionNumber',
      'c.code',
      'c.title',
      'c.credits',
      'e.created_at as enrolledAt',
    );
  return rows.map((r) => ({ ...r, enrolledAt: r.enrolledAt.toISOString() }));
}

/** The term of each section that exists (unknown ids are simply absent). */
export const sectionTerms = (db: Knex, sectionIds: number[]): Promise<{ id: number; term_id: number }[]> =>
  db('sections').whereIn('id', sectionIds).select<{ id: number; term_id: number }[]>('id', 'term_id');

/** The waiting rooms that guard a term's registration windows. */
export const termRoomIds = (db: Knex, termId: number): Promise<number[]> =>
  db('waiting_rooms as r')
    .join('registration_windows as w', 'w.id', 'r.registration_window_id')
    .where('w.term_id', termId)
    .pluck<number[]>('r.id');
