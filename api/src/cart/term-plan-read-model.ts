import type { Knex } from 'knex';
import { NotFoundError } from '../../../core/errors.js';
import type { SectionView } from '../../../core/views/catalog-views.js';
import {
  SECTION_COLUMNS,
  meetingsOf,
  sectionsJoined,
  toSectionView,
  type SectionRow,
} from '../catalog/catalog-read-model.js';

/** One student's term as the cart and the timetable see it: what they take, what they plan, their limit. */
export interface TermPlan {
  termId: number;
  creditLimit: number;
  /** In the order they were added. */
  cart: { section: SectionView; addedAt: string }[];
  enrolled: { section: SectionView; enrollmentId: number }[];
}

/**
 * Four queries whatever the size of the cart: the student (with whether the term exists), the cart's
 * sections, the enrolled sections, then every meeting of both. Undefined for no such term.
 */
export async function loadTermPlan(db: Knex, userId: number, termId: number): Promise<TermPlan | undefined> {
  const [user, cartRows, enrolledRows] = await Promise.all([
    db('users as u')
      .where('u.id', userId)
      .first<{ credit_limit: number; term_exists: number } | undefined>(
        'u.credit_limit',
        db.raw('EXISTS (SELECT 1 FROM terms t WHERE t.id = ?) as term_exists', [termId]),
      ),
    sectionsJoined(db)
      .join('cart_items as ci', 'ci.section_id', 's.id')
      .where('ci.user_id', userId)
      .andWhere('s.term_id', termId)
      .orderBy(['ci.created_at', 'ci.id'])
      .select<(SectionRow & { added_at: Date })[]>([...SECTION_COLUMNS, 'ci.created_at as added_at']),
    sectionsJoined(db)
      .join('enrollments as e', 'e.section_id', 's.id')
      .where('e.user_id', userId)
      .andWhere('e.term_id', termId)
      .orderBy('e.id')
      .select<(SectionRow & { enrollment_id: number })[]>([...SECTION_COLUMNS, 'e.id as enrollment_id']),
  ]);
  if (!user) throw new NotFoundError('USER_NOT_FOUND', 'Your account no longer exists');
  if (!user.term_exists) return undefined;
  const meetings = await meetingsOf(
    db,
    [...cartRows, ...enrolledRows].map((r) => r.id),
  );
  const view = (r: SectionRow) => toSectionView(r, meetings.get(r.id) ?? []);
  return {
    termId,
    creditLimit: user.credit_limit,
    cart: cartRows.map((r) => ({ section: view(r), addedAt: r.added_at.toISOString() })),
    enrolled: enrolledRows.map((r) => ({ section: view(r), enrollmentId: r.enrollment_id })),
  };
}
