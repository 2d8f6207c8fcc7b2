import type { Knex } from 'knex';
import { insertInChunks } from './bulk-insert.js';
import { MAJORS, type MajorSpec } from './catalog-data.js';
import { FIRST_NAMES, LAST_NAMES } from './names.js';
import type { Random } from './random.js';

export interface CatalogCounts {
  majors: number;
  professors: number;
  courses: number;
  sections: number;
  sectionMeetings: number;
}

export interface SeededCatalog {
  counts: CatalogCounts;
  majorIds: number[];
}

interface PlannedCourse {
  major: MajorSpec;
  level: 1 | 2 | 3 | 4;
  code: string;
  title: string;
  credits: number;
}

interface SeededSection {
  id: number;
  course: PlannedCourse;
  capacity: number;
}

/** Majors, professors, courses, sections of the term and their weekly meetings. */
export async function seedCatalog(db: Knex, rnd: Random, termId: number): Promise<SeededCatalog> {
  const majorIds = await insertMajors(db);
  const professorIds = await insertProfessors(db, rnd, majorIds);
  const courses = await insertCourses(db, rnd, majorIds, professorIds);
  const sections = await insertSections(db, rnd, termId, courses);
  const sectionMeetings = await insertMeetings(db, rnd, sections);
  return {
    counts: {
      majors: majorIds.size,
      professors: [...professorIds.values()].reduce((n, ids) => n + ids.length, 0),
      courses: courses.size,
      sections: sections.length,
      sectionMeetings,
    },
    majorIds: [...majorIds.values()],
  };
}

async function insertMajors(db: Knex): Promise<Map<string, number>> {
  await insertInChunks(
    db,
    'majors',
    MAJORS.map((m) => ({ code: m.code, name: m.name })),
  );
  const rows = await db('majors')
    .whereIn(
      'code',
      MAJORS.map((m) => m.code),
    )
    .select<{ id: number; code: string }[]>('id', 'code');
  return new Map(rows.map((r) => [r.code, r.id]));
}

async function insertProfessors(
  db: Knex,
  rnd: Random,
  majorIds: Map<string, number>,
): Promise<Map<number, number[]>> {
  const used = new Set<string>();
  const rows: { name: string; email: string; major_id: number }[] = [];
  for (const major of MAJORS) {
    const count = rnd.int(4, 5);
    for (let i = 0; i < count; i++) {
      const first = rnd.pick(FIRST_NAMES);
      const last = rnd.pick(LAST_NAMES);
      const local = `${first}.${last}`.toLowerCase();
      let email = `${local}@rushline.edu`;
      for (let n = 2; used.has(email); n++) email = `${local}${n}@rushline.edu`;
      used.add(email);
      rows.push({ name: `${first} ${last}`, email, major_id: requireId(majorIds, major.code) });
    }
  }
  await insertInChunks(db, 'professors', rows);
  const saved = await db('professors')
    .whereIn(
      'email',
      rows.map((r) => r.email),
    )
    .select<{ id: number; major_id: number }[]>('id', 'major_id');
  const byMajor = new Map<number, number[]>();
  for (const p of saved) byMajor.set(p.major_id, [...(byMajor.get(p.major_id) ?? []), p.id]);
  return byMajor;
}

const LEVEL_BLURB = {
  1: 'An introductory course; no prerequisites.',
  2: 'A second-year course building on the introductory sequence.',
  3: 'An upper-division course for majors.',
  4: 'An advanced course for final-year students.',
} as const;

const isLabCourse = (course: Pick<PlannedCourse, 'title'>) => /Laboratory/.test(course.title);

type Weighted<T> = readonly (readonly [T, number])[];

// prettier-ignore
const CREDIT_WEIGHTS: { seminar: Weighted<number>; usual: Weighted<number> } = {
  seminar: [[2, 0.4], [3, 0.6]],
  usual: [[3, 0.85], [4, 0.1], [2, 0.05]],
};

function creditsFor(rnd: Random, title: string): number {
  if (isLabCourse({ title })) return 1;
  if (/Seminar|Thesis|Workshop/.test(title)) return rnd.weighted(CREDIT_WEIGHTS.seminar);
  if (/Capstone|Project/.test(title)) return 4;
  return rnd.weighted(CREDIT_WEIGHTS.usual);
}

async function insertCourses(
  db: Knex,
  rnd: Random,
  majorIds: Map<string, number>,
  professorIds: Map<number, number[]>,
): Promise<Map<number, PlannedCourse>> {
  const planned: PlannedCourse[] = [];
  const rows: Record<string, unknown>[] = [];
  for (const major of MAJORS) {
    const majorId = requireId(majorIds, major.code);
    const faculty = professorIds.get(majorId) ?? [];
    major.titles.forEach((titles, index) => {
      const level = (index + 1) as PlannedCourse['level'];
      titles.forEach((title, k) => {
        // CS101, CS11x, CS12x ... so codes look hand-assigned but stay unique within a level.
        const number = level * 100 + (k === 0 ? 1 : k * 10 + rnd.int(0, 9));
        const credits = creditsFor(rnd, title);
        const course: PlannedCourse = { major, level, code: `${major.code}${number}`, title, credits };
        planned.push(course);
        rows.push({
          code: course.code,
          title,
          credits: course.credits,
          major_id: majorId,
          professor_id: rnd.pick(faculty),
          description: `${title}. ${LEVEL_BLURB[level]} Offered by the Department of ${major.name}.`,
        });
      });
    });
  }
  await insertInChunks(db, 'courses', rows);
  const saved = await db('courses')
    .whereIn(
      'code',
      planned.map((c) => c.code),
    )
    .select<{ id: number; code: string }[]>('id', 'code');
  const idByCode = new Map(saved.map((c) => [c.code, c.id]));
  return new Map(planned.map((c) => [requireId(idByCode, c.code), c]));
}

const roundTo5 = (n: number) => Math.round(n / 5) * 5;

// Seats per section, [min, max] with weights: most seat 30-60; intro lectures can be large, final-year
// courses small.
// prettier-ignore
const CAPACITY_BANDS: Record<PlannedCourse['level'], Weighted<readonly [number, number]>> = {
  1: [[[40, 60], 0.55], [[80, 150], 0.3], [[180, 300], 0.15]],
  2: [[[30, 60], 0.75], [[70, 120], 0.25]],
  3: [[[30, 60], 0.9], [[20, 30], 0.1]],
  4: [[[20, 45], 1]],
};

function capacityFor(rnd: Random, course: PlannedCourse): number {
  if (isLabCourse(course)) return roundTo5(rnd.int(20, 30));
  const [min, max] = rnd.weighted(CAPACITY_BANDS[course.level]);
  return roundTo5(rnd.int(min, max));
}

function sectionCountFor(rnd: Random, level: PlannedCourse['level']): number {
  // Intro courses run several sections; final-year ones often one.
  return { 1: 3, 2: rnd.int(2, 3), 3: 2, 4: rnd.int(1, 2) }[level];
}

async function insertSections(
  db: Knex,
  rnd: Random,
  termId: number,
  courses: Map<number, PlannedCourse>,
): Promise<SeededSection[]> {
  const rows: { term_id: number; course_id: number; section_number: number; capacity: number }[] = [];
  for (const [courseId, course] of courses) {
    const count = sectionCountFor(rnd, course.level);
    for (let n = 1; n <= count; n++) {
      rows.push({
        term_id: termId,
        course_id: courseId,
        section_number: n,
        capacity: capacityFor(rnd, course),
      });
    }
  }
  await insertInChunks(db, 'sections', rows);
  const saved = await db('sections')
    .where({ term_id: termId })
    .orderBy('id')
    .select<{ id: number; course_id: number; capacity: number }[]>('id', 'course_id', 'capacity');
  return saved.map((s) => {
    const course = courses.get(s.course_id);
    if (!course) throw new Error(`section ${s.id} belongs to a course the seed did not create`);
    return { id: s.id, course, capacity: s.capacity };
  });
}

interface Pattern {
  days: readonly number[];
  minutes: number;
  starts: readonly string[];
}

const HOURLY = ['08:00', '09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00', '17:00'];
const BLOCKS_75 = ['08:00', '09:30', '11:00', '12:30', '14:00', '15:30', '16:45'];
const PATTERNS: readonly (readonly [Pattern, number])[] = [
  [{ days: [1, 3, 5], minutes: 50, starts: HOURLY }, 0.35],
  [{ days: [1, 3], minutes: 75, starts: BLOCKS_75 }, 0.3],
  [{ days: [2, 4], minutes: 75, starts: BLOCKS_75 }, 0.35],
];
const WEEKDAYS = [1, 2, 3, 4, 5];
const LAB_STARTS = ['09:00', '13:00', '15:00'];
const LAB_MINUTES = 110;

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toTime = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;

function roomFor(rnd: Random, section: SeededSection): string {
  if (section.capacity >= 100) return `LH ${rnd.int(101, 112)}`;
  return `${section.course.major.building} ${rnd.int(1, 4)}${String(rnd.int(1, 30)).padStart(2, '0')}`;
}

async function insertMeetings(db: Knex, rnd: Random, sections: SeededSection[]): Promise<number> {
  const rows: {
    section_id: number;
    day_of_week: number;
    starts_at: string;
    ends_at: string;
    room: string;
  }[] = [];
  const lab = (section: SeededSection, days: readonly number[]) => {
    const start = toMinutes(rnd.pick(LAB_STARTS));
    rows.push({
      section_id: section.id,
      day_of_week: rnd.pick(days),
      starts_at: toTime(start),
      ends_at: toTime(start + LAB_MINUTES),
      room: `${section.course.major.building} LAB ${rnd.int(1, 9)}`,
    });
  };
  for (const section of sections) {
    if (isLabCourse(section.course)) {
      lab(section, WEEKDAYS);
      continue;
    }
    const pattern = rnd.weighted(PATTERNS);
    const start = toMinutes(rnd.pick(pattern.starts));
    const room = roomFor(rnd, section);
    for (const day of pattern.days) {
      rows.push({
        section_id: section.id,
        day_of_week: day,
        starts_at: toTime(start),
        ends_at: toTime(start + pattern.minutes),
        room,
      });
    }
    // Four-credit courses add a weekly lab on a day the lectures leave free.
    if (section.course.credits === 4)
      lab(
        section,
        WEEKDAYS.filter((d) => !pattern.days.includes(d)),
      );
  }
  return insertInChunks(db, 'section_meetings', rows);
}

function requireId<K>(ids: Map<K, number>, key: K): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`seed: no id for ${String(key)}`);
  return id;
}
