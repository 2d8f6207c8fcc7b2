import type { Knex } from 'knex';
import type { CsvValue } from './csv-write.js';

/** Rows per keyset batch: one SELECT per 1,000 rows, never the whole export in memory. */
export const BATCH = 1_000;

interface EnrollmentRow {
  id: number;
  student_number: string | null;
  display_name: string;
  username: string;
  major: string | null;
  grade: number | null;
  created_at: Date;
  course_code: string;
  course_title: string;
  section_number: number;
}

export const ROSTER_HEADER = ['student_number', 'name', 'username', 'major', 'grade', 'enrolled_at'] as const;
export const TERM_ENROLLMENTS_HEADER = [
  'course_code',
  'course_title',
  'section_number',
  ...ROSTER_HEADER,
] as const;

/** Enrollments matching `where`, in id order, one keyset page (`e.id > after`) at a time. */
async function* enrollmentBatches(
  db: Knex,
  where: (q: Knex.QueryBuilder) => void,
): AsyncGenerator<EnrollmentRow[]> {
  let after = 0;
  for (;;) {
    const q = db('enrollments as e')
      .join('users as u', 'u.id', 'e.user_id')
      .join('sections as s', 's.id', 'e.section_id')
      .join('courses as c', 'c.id', 'e.course_id')
      .leftJoin('majors as m', 'm.id', 'u.major_id')
      .where('e.id', '>', after)
      .orderBy('e.id')
      .limit(BATCH)
      .select<EnrollmentRow[]>(
        'e.id',
        'u.student_number',
        'u.display_name',
        'u.username',
        'm.code as major',
        'u.grade',
        'e.created_at',
        'c.code as course_code',
        'c.title as course_title',
        's.section_number',
      );
    where(q);
    const rows = await q;
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1]!.id);
    if (rows.length < BATCH) return;
  }
}

const rosterCells = (r: EnrollmentRow): CsvValue[] => [
  r.student_number,
  r.display_name,
  r.username,
  r.major,
  r.grade,
  r.created_at,
];

export async function* sectionRosterRows(db: Knex, sectionId: number): AsyncGenerator<CsvValue[][]> {
  for await (const rows of enrollmentBatches(db, (q) => q.where('e.section_id', sectionId)))
    yield rows.map(rosterCells);
}

export async function* termEnrollmentRows(db: Knex, termId: number): AsyncGenerator<CsvValue[][]> {
  for await (const rows of enrollmentBatches(db, (q) => q.where('e.term_id', termId)))
    yield rows.map((r) => [r.course_code, r.course_title, r.section_number, ...rosterCells(r)]);
}
