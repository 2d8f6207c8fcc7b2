import type { Knex } from 'knex';
import { parseJson } from '../../../core/requests/request-store.js';
import type {
  DayOfWeek,
  MajorView,
  MeetingView,
  SectionPage,
  SectionView,
  TermView,
} from '../../../core/views/catalog-views.js';
import type { SectionQuery } from './catalog-params.js';
import { encodeSectionCursor, type SectionCursor } from './section-cursor.js';
import { searchWords, type SearchWord } from './search-words.js';

/**
 * The catalogue as students read it. A page of sections costs two queries whatever its size: the
 * sections joined with course, major and professor, then every meeting of those sections at once.
 */
export interface SectionRow {
  id: number;
  term_id: number;
  section_number: number;
  capacity: number;
  enrolled: number;
  course_id: number;
  course_code: string;
  course_title: string;
  course_credits: number;
  course_description: string | null;
  major_id: number;
  major_code: string;
  major_name: string;
  professor_id: number;
  professor_name: string;
}

export const SECTION_COLUMNS = [
  's.id',
  's.term_id',
  's.section_number',
  's.capacity',
  's.enrolled',
  'c.id as course_id',
  'c.code as course_code',
  'c.title as course_title',
  'c.credits as course_credits',
  'c.description as course_description',
  'm.id as major_id',
  'm.code as major_code',
  'm.name as major_name',
  'p.id as professor_id',
  'p.name as professor_name',
] as const;

/** Adds a section's course, the course's major and its professor to a query that has `s`. */
const withCourse = (qb: Knex.QueryBuilder) =>
  qb
    .join('courses as c', 'c.id', 's.course_id')
    .join('majors as m', 'm.id', 'c.major_id')
    .join('professors as p', 'p.id', 'c.professor_id');

/** Sections with their course, the course's major and its professor; callers add filters and columns. */
export const sectionsJoined = (db: Knex) => withCourse(db('sections as s'));

/** One page of a term's sections in (course code, section number, id) order; undefined for no such term. */
export async function sectionPage(
  db: Knex,
  termId: number,
  query: SectionQuery,
): Promise<SectionPage | undefined> {
  const rows = await sectionPageQuery(db, termId, query);
  if (rows.length === 0)
    return (await termExists(db, termId)) ? { sections: [], nextCursor: null } : undefined;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    sections: await sectionViews(db, page),
    nextCursor:
      rows.length > query.limit && last
        ? encodeSectionCursor({ code: last.course_code, sectionNumber: last.section_number, id: last.id })
        : null,
  };
}

/**
 * The page's first query, unexecuted (the benchmark's baseline sends its SQL without knex). It sorts and
 * cuts narrow keys first and joins the wide columns for the page's rows alone: sorting every match with
 * its description (TEXT) drags them all through a temporary table, about twice the cost on the demo
 * catalogue. One row more than the limit tells whether another page follows.
 */
export function sectionPageQuery(db: Knex, termId: number, query: SectionQuery) {
  // A deactivated section (staff, instead of deleting one with enrollments) is no longer offered.
  const keys = sectionsJoined(db).where('s.term_id', termId).andWhere('s.active', true);
  for (const word of searchWords(query.q)) void keys.where((w) => matchWord(w, word));
  if (query.majorId !== undefined) void keys.where('c.major_id', query.majorId);
  if (query.professorId !== undefined) void keys.where('c.professor_id', query.professorId);
  if (query.credits !== undefined) void keys.where('c.credits', query.credits);
  if (query.hasSeats) void keys.whereRaw('s.enrolled < s.capacity');
  if (query.day || query.from || query.to) meetsWithin(db, keys, query.day, query.from, query.to);
  if (query.cursor) after(keys, query.cursor);
  void keys
    .orderBy([
      { column: 'c.code', order: 'asc' },
      { column: 's.section_number', order: 'asc' },
      { column: 's.id', order: 'asc' },
    ])
    .limit(query.limit + 1)
    .select('s.id', 'c.code', 's.section_number');
  return withCourse(db.from(keys.as('k')).join('sections as s', 's.id', 'k.id'))
    .orderBy([
      { column: 'k.code', order: 'asc' },
      { column: 'k.section_number', order: 'asc' },
      { column: 'k.id', order: 'asc' },
    ])
    .select<SectionRow[]>(SECTION_COLUMNS);
}

/**
 * One word: a word of the code or title through the FULLTEXT index (prefix match, so 'algo' finds
 * Algorithms), or the start of the code (the unique index: 'CS1' lists CS1xx), or the start of a word
 * of the professor's name. Words the index can't hold fall back to LIKE on the starts of title words.
 */
function matchWord(w: Knex.QueryBuilder, word: SearchWord): void {
  if (word.fulltext)
    void w.orWhereRaw('MATCH (c.code, c.title) AGAINST (? IN BOOLEAN MODE)', [`${word.text}*`]);
  else void w.orWhere('c.title', 'like', `${word.text}%`).orWhere('c.title', 'like', `% ${word.text}%`);
  void w
    .orWhere('c.code', 'like', `${word.text}%`)
    .orWhere('p.name', 'like', `${word.text}%`)
    .orWhere('p.name', 'like', `% ${word.text}%`);
}

/**
 * The days and hours a student has free: every meeting of the section falls on one of `days` and
 * within from–to. A section with no meetings at all is not "within" any time and is left out.
 */
function meetsWithin(
  db: Knex,
  qb: Knex.QueryBuilder,
  days: DayOfWeek[] | undefined,
  from: string | undefined,
  to: string | undefined,
): void {
  void qb
    .whereExists(db('section_meetings as sm').select(db.raw('1')).whereRaw('sm.section_id = s.id'))
    .whereNotExists(
      db('section_meetings as sm')
        .select(db.raw('1'))
        .whereRaw('sm.section_id = s.id')
        .andWhere((w) => {
          if (days) void w.orWhereNotIn('sm.day_of_week', days);
          if (from) void w.orWhere('sm.starts_at', '<', from);
          if (to) void w.orWhere('sm.ends_at', '>', to);
        }),
    );
}

/** Keyset paging: strictly after the cursor's (code, section number, id), however rows were added since. */
function after(qb: Knex.QueryBuilder, c: SectionCursor): void {
  void qb.where((w) =>
    w
      .where('c.code', '>', c.code)
      .orWhere((same) =>
        same
          .where('c.code', c.code)
          .andWhere((n) =>
            n
              .where('s.section_number', '>', c.sectionNumber)
              .orWhere((sameN) =>
                sameN.where('s.section_number', c.sectionNumber).andWhere('s.id', '>', c.id),
              ),
          ),
      ),
  );
}

export async function findSectionView(db: Knex, id: number): Promise<SectionView | undefined> {
  const rows = await sectionsJoined(db).where('s.id', id).select<SectionRow[]>(SECTION_COLUMNS);
  return (await sectionViews(db, rows))[0];
}

/** Rows to views, with every meeting of every row fetched in one query. */
export async function sectionViews(db: Knex, rows: SectionRow[]): Promise<SectionView[]> {
  const meetings = await meetingsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toSectionView(r, meetings.get(r.id) ?? []));
}

export function toSectionView(r: SectionRow, meetings: MeetingView[]): SectionView {
  return {
    id: r.id,
    termId: r.term_id,
    sectionNumber: r.section_number,
    capacity: r.capacity,
    enrolled: r.enrolled,
    seatsLeft: Math.max(0, r.capacity - r.enrolled),
    course: {
      id: r.course_id,
      code: r.course_code,
      title: r.course_title,
      credits: r.course_credits,
      description: r.course_description,
      major: { id: r.major_id, code: r.major_code, name: r.major_name },
    },
    professor: { id: r.professor_id, name: r.professor_name },
    meetings,
  };
}

interface MeetingRow {
  section_id: number;
  day_of_week: DayOfWeek;
  starts_at: string;
  ends_at: string;
  room: string;
}

/** The page's second query; exported unexecuted for the benchmark's baseline, like sectionPageQuery. */
export const meetingsQuery = (db: Knex, sectionIds: number[]) =>
  db('section_meetings')
    .whereIn('section_id', sectionIds)
    .orderBy(['section_id', 'day_of_week', 'starts_at'])
    .select<MeetingRow[]>('section_id', 'day_of_week', 'starts_at', 'ends_at', 'room');

/** Every meeting of the given sections by section id, in weekly order; no query for no sections. */
export async function meetingsOf(db: Knex, sectionIds: number[]): Promise<Map<number, MeetingView[]>> {
  const out = new Map<number, MeetingView[]>();
  if (sectionIds.length === 0) return out;
  const rows = await meetingsQuery(db, [...new Set(sectionIds)]);
  for (const m of rows) {
    const list = out.get(m.section_id) ?? [];
    // TIME comes back as 'HH:MM:SS'; the views speak 'HH:MM'.
    list.push({
      dayOfWeek: m.day_of_week,
      startsAt: m.starts_at.slice(0, 5),
      endsAt: m.ends_at.slice(0, 5),
      room: m.room,
    });
    out.set(m.section_id, list);
  }
  return out;
}

export async function termExists(db: Knex, termId: number): Promise<boolean> {
  return (await db('terms').where({ id: termId }).first('id')) !== undefined;
}

/** Every term, newest first, with its registration windows and the waiting room fronting each. */
export async function listTerms(db: Knex): Promise<TermView[]> {
  const terms = await db('terms')
    .orderBy([
      { column: 'starts_on', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    // Formatted by MySQL: a DATE has no time zone, and a JavaScript Date would give it one.
    .select<{ id: number; code: string; name: string; starts_on: string; ends_on: string }[]>(
      'id',
      'code',
      'name',
      db.raw("DATE_FORMAT(starts_on, '%Y-%m-%d') as starts_on"),
      db.raw("DATE_FORMAT(ends_on, '%Y-%m-%d') as ends_on"),
    );
  if (terms.length === 0) return [];
  const windows = await db('registration_windows as w')
    .whereIn(
      'w.term_id',
      terms.map((t) => t.id),
    )
    .orderBy(['w.opens_at', 'w.id'])
    .select<
      {
        id: number;
        term_id: number;
        name: string;
        grades: unknown;
        opens_at: Date;
        closes_at: Date;
        room_id: number | null;
      }[]
    >(
      'w.id',
      'w.term_id',
      'w.name',
      'w.grades',
      'w.opens_at',
      'w.closes_at',
      // A window is fronted by at most one room in practice; the lowest id if ever more.
      db.raw('(SELECT MIN(r.id) FROM waiting_rooms r WHERE r.registration_window_id = w.id) as room_id'),
    );
  return terms.map((t) => ({
    id: t.id,
    code: t.code,
    name: t.name,
    startsOn: t.starts_on,
    endsOn: t.ends_on,
    windows: windows
      .filter((w) => w.term_id === t.id)
      .map((w) => ({
        id: w.id,
        name: w.name,
        grades: gradesOf(w.grades),
        opensAt: w.opens_at.toISOString(),
        closesAt: w.closes_at.toISOString(),
        roomId: w.room_id,
      })),
  }));
}

/** MariaDB hands a JSON column back as text; the schema's CHECK keeps it an array. */
function gradesOf(v: unknown): number[] {
  const parsed = parseJson(v);
  return Array.isArray(parsed) ? parsed.filter((g): g is number => typeof g === 'number') : [];
}

/** Majors offering at least one section in the term, by code; undefined for no such term. */
export async function listMajors(db: Knex, termId: number): Promise<MajorView[] | undefined> {
  const majors = await db('majors as m')
    .whereExists(
      db('courses as c')
        .join('sections as s', 's.course_id', 'c.id')
        .select(db.raw('1'))
        .whereRaw('c.major_id = m.id')
        .andWhere('s.term_id', termId),
    )
    .orderBy('m.code')
    .select<MajorView[]>('m.id', 'm.code', 'm.name');
  if (majors.length === 0 && !(await termExists(db, termId))) return undefined;
  return majors;
}
