import type { Knex } from 'knex';
import type { CatalogPlan } from './catalog-file.js';
import type { LineError } from './import-report.js';
import { chunks, idsBy, upsertRows } from './upsert-rows.js';

export interface CatalogCounts {
  majors: number;
  professors: number;
  courses: number;
  sections: number;
  meetings: number;
}

export const countsOf = (plan: CatalogPlan): CatalogCounts => ({
  majors: plan.majors.size,
  professors: plan.professors.size,
  courses: plan.courses.size,
  sections: plan.sections.size,
  meetings: plan.meetings.length,
});

export async function termExists(db: Knex, termId: number): Promise<boolean> {
  return (await db('terms').where({ id: termId }).first('id')) !== undefined;
}

/**
 * The file checks that need the database: a section that already has students can't be given a capacity
 * below them (the live-sale rule; the schema's CHECK would otherwise fail the whole import with a 500).
 * With `lock`, the real run locks those sections so no enrollment slips in between the check and the write.
 */
export async function checkCatalogAgainstDb(
  db: Knex,
  termId: number,
  plan: CatalogPlan,
  errors: LineError[],
  lock: boolean,
): Promise<void> {
  const query = db('sections as s')
    .join('courses as c', 'c.id', 's.course_id')
    .where('s.term_id', termId)
    .andWhere('s.enrolled', '>', 0)
    .orderBy('s.id')
    .select<{ code: string; number: number; enrolled: number }[]>(
      'c.code',
      's.section_number as number',
      's.enrolled',
    );
  const taken = lock ? await query.forUpdate() : await query;
  for (const t of taken) {
    const s = plan.sections.get(`${t.code.toUpperCase()}#${t.number}`);
    if (s && s.capacity < t.enrolled)
      errors.push({
        line: s.line,
        column: 'capacity',
        reason: `is below the ${t.enrolled} students already enrolled in this section`,
      });
  }
}

/**
 * Writes a checked plan in the caller's transaction, a few multi-row statements per table: majors,
 * professors and courses upserted by code or email, sections by (term, course, number). A section's
 * meetings are the file's: its old meetings are replaced, so re-importing a corrected file fixes a timetable
 * instead of adding to it.
 */
export async function writeCatalog(trx: Knex.Transaction, termId: number, plan: CatalogPlan): Promise<void> {
  await upsertRows(
    trx,
    'majors',
    [...plan.majors].map(([code, m]) => ({ code, name: m.name })),
    ['code'],
    ['name'],
  );
  const majorIds = await idsBy(trx, 'majors', 'code', [...plan.majors.keys()]);
  const majorId = (code: string) => majorIds.get(code.toLowerCase());

  await upsertRows(
    trx,
    'professors',
    [...plan.professors].map(([email, p]) => ({ email, name: p.name, major_id: majorId(p.majorCode) })),
    ['email'],
    ['name', 'major_id'],
  );
  const profIds = await idsBy(trx, 'professors', 'email', [...plan.professors.keys()]);

  await upsertRows(
    trx,
    'courses',
    [...plan.courses].map(([code, c]) => ({
      code,
      title: c.title,
      credits: c.credits,
      major_id: majorId(c.majorCode),
      professor_id: profIds.get(c.professorEmail),
    })),
    ['code'],
    ['title', 'credits', 'major_id', 'professor_id'],
  );
  const courseIds = await idsBy(trx, 'courses', 'code', [...plan.courses.keys()]);

  await upsertRows(
    trx,
    'sections',
    [...plan.sections.values()].map((s) => ({
      term_id: termId,
      course_id: courseIds.get(s.courseCode.toLowerCase()),
      section_number: s.number,
      capacity: s.capacity,
    })),
    ['term_id', 'course_id', 'section_number'],
    ['capacity'],
  );
  const sectionIds = new Map<string, number>();
  const codeOf = new Map([...courseIds].map(([code, id]) => [id, code.toUpperCase()]));
  for (const part of chunks([...courseIds.values()])) {
    const rows = await trx('sections')
      .where('term_id', termId)
      .whereIn('course_id', part)
      .select<{ id: number; course_id: number; section_number: number }[]>(
        'id',
        'course_id',
        'section_number',
      );
    for (const r of rows)
      sectionIds.set(`${codeOf.get(Number(r.course_id))}#${r.section_number}`, Number(r.id));
  }

  const imported = [...plan.sections.keys()].map((k) => sectionIds.get(k)!);
  for (const part of chunks(imported)) await trx('section_meetings').whereIn('section_id', part).delete();
  const meetings = plan.meetings.map((m) => ({
    section_id: sectionIds.get(m.sectionKey),
    day_of_week: m.day,
    starts_at: m.startsAt,
    ends_at: m.endsAt,
    room: m.room,
  }));
  for (const part of chunks(meetings)) await trx('section_meetings').insert(part);
}
