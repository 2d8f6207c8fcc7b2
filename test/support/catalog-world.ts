import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * A small catalogue of its own for the catalog, cart and timetable tests: one term, two majors, two
 * professors, a handful of courses whose sections meet at known times. Codes carry a random tag, so
 * worlds made by tests sharing the run's database never meet (every read is scoped to the term anyway).
 */
export interface CatalogWorld {
  termId: number;
  tag: string;
  majors: { cs: number; math: number };
  professors: { kwon: number; hart: number };
  courses: Record<CourseKey, { id: number; code: string }>;
  /** By `<course>-<section number>`, e.g. 'intro-1'. */
  sections: Record<SectionKey, number>;
}

type Meetings = [day: number, start: string, end: string][];

const COURSES = {
  intro: { num: 101, title: 'Introduction to Programming', credits: 3, major: 'cs', prof: 'kwon' },
  data: { num: 201, title: 'Data Structures', credits: 3, major: 'cs', prof: 'kwon' },
  discrete: { num: 202, title: 'Discrete Mathematics', credits: 3, major: 'cs', prof: 'hart' },
  algo: { num: 301, title: 'Algorithms', credits: 3, major: 'cs', prof: 'hart' },
  theory: { num: 302, title: 'Theory of Computation', credits: 3, major: 'cs', prof: 'hart' },
  calc1: { num: 101, title: 'Calculus I', credits: 4, major: 'math', prof: 'hart' },
  calc2: { num: 102, title: 'Calculus II', credits: 4, major: 'math', prof: 'hart' },
  seminar: { num: 490, title: 'Research Seminar', credits: 2, major: 'math', prof: 'kwon' },
} as const;
type CourseKey = keyof typeof COURSES;

const SECTIONS = {
  'intro-1': {
    course: 'intro',
    number: 1,
    capacity: 40,
    enrolled: 0,
    meets: [
      [1, '09:00', '09:50'],
      [3, '09:00', '09:50'],
      [5, '09:00', '09:50'],
    ],
  },
  'intro-2': {
    course: 'intro',
    number: 2,
    capacity: 40,
    enrolled: 10,
    meets: [
      [2, '10:30', '11:45'],
      [4, '10:30', '11:45'],
    ],
  },
  'data-1': {
    course: 'data',
    number: 1,
    capacity: 30,
    enrolled: 5,
    meets: [
      [2, '09:00', '10:15'],
      [4, '09:00', '10:15'],
    ],
  },
  'discrete-1': {
    course: 'discrete',
    number: 1,
    capacity: 30,
    enrolled: 0,
    meets: [
      [2, '10:00', '11:15'],
      [4, '10:00', '11:15'],
    ],
  },
  'algo-1': {
    course: 'algo',
    number: 1,
    capacity: 30,
    enrolled: 0,
    meets: [
      [1, '09:30', '10:20'],
      [3, '09:30', '10:20'],
    ],
  },
  'theory-1': { course: 'theory', number: 1, capacity: 25, enrolled: 0, meets: [[6, '10:00', '12:00']] },
  'calc1-1': {
    course: 'calc1',
    number: 1,
    capacity: 60,
    enrolled: 0,
    meets: [
      [1, '10:00', '10:50'],
      [3, '10:00', '10:50'],
      [5, '10:00', '10:50'],
      [2, '14:00', '15:50'],
    ],
  },
  'calc2-1': {
    course: 'calc2',
    number: 1,
    capacity: 2,
    enrolled: 2,
    meets: [
      [1, '13:00', '13:50'],
      [3, '13:00', '13:50'],
    ],
  },
  // Arranged with the instructor: no weekly meetings at all.
  'seminar-1': { course: 'seminar', number: 1, capacity: 12, enrolled: 0, meets: [] },
} as const satisfies Record<
  string,
  { course: CourseKey; number: number; capacity: number; enrolled: number; meets: Meetings }
>;
type SectionKey = keyof typeof SECTIONS;

export async function createCatalogWorld(db: Knex): Promise<CatalogWorld> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const [termId] = await db('terms').insert({
    code: `W-${tag}`,
    name: `World ${tag}`,
    starts_on: '2027-03-02',
    ends_on: '2027-06-20',
  });
  const [cs] = await db('majors').insert({ code: `CS${tag}`, name: `Computing ${tag}` });
  const [math] = await db('majors').insert({ code: `MA${tag}`, name: `Mathematics ${tag}` });
  const majors = { cs: cs!, math: math! };
  const [kwon] = await db('professors').insert({ name: 'Minji Kwon', major_id: majors.cs });
  const [hart] = await db('professors').insert({ name: 'Oliver Hart', major_id: majors.math });
  const professors = { kwon: kwon!, hart: hart! };

  const courses = {} as CatalogWorld['courses'];
  for (const [key, c] of Object.entries(COURSES) as [CourseKey, (typeof COURSES)[CourseKey]][]) {
    const code = `${c.major === 'cs' ? 'CS' : 'MA'}${tag}${c.num}`;
    const [id] = await db('courses').insert({
      code,
      title: c.title,
      credits: c.credits,
      major_id: majors[c.major],
      professor_id: professors[c.prof],
      description: `${c.title}, as taught in world ${tag}.`,
    });
    courses[key] = { id: id!, code };
  }
  const sections = {} as CatalogWorld['sections'];
  for (const [key, s] of Object.entries(SECTIONS) as [SectionKey, (typeof SECTIONS)[SectionKey]][]) {
    const [id] = await db('sections').insert({
      term_id: termId,
      course_id: courses[s.course].id,
      section_number: s.number,
      capacity: s.capacity,
      enrolled: s.enrolled,
    });
    sections[key] = id!;
    const meets: Meetings = [...s.meets];
    if (meets.length > 0) {
      await db('section_meetings').insert(
        meets.map(([day, start, end]) => ({
          section_id: id,
          day_of_week: day,
          starts_at: start,
          ends_at: end,
          room: `R${day}${start.slice(0, 2)}`,
        })),
      );
    }
  }
  return { termId: termId!, tag, majors, professors, courses, sections };
}

/**
 * A term with `count` sections spread over courses of up to five sections each, each meeting twice a
 * week: enough rows for paging and for pages of 50. Section ids come back in the catalogue's order.
 */
export async function createBulkTerm(
  db: Knex,
  count: number,
): Promise<{ termId: number; sectionIds: number[] }> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const [termId] = await db('terms').insert({
    code: `B-${tag}`,
    name: `Bulk ${tag}`,
    starts_on: '2027-09-01',
    ends_on: '2027-12-20',
  });
  const [majorId] = await db('majors').insert({ code: `BK${tag}`, name: `Bulk ${tag}` });
  const [professorId] = await db('professors').insert({ name: `Prof ${tag}`, major_id: majorId });
  const courseIds: number[] = [];
  for (let i = 0; i < Math.ceil(count / 5); i++) {
    const [id] = await db('courses').insert({
      code: `BK${tag}${String(i).padStart(3, '0')}`,
      title: `Bulk Course ${i}`,
      credits: 3,
      major_id: majorId,
      professor_id: professorId,
    });
    courseIds.push(id!);
  }
  // Inserted in an order unlike the catalogue's (last course first, section numbers descending), so a
  // listing that came back in id order would be caught.
  const rows = Array.from({ length: count }, (_, i) => ({
    term_id: termId,
    course_id: courseIds[Math.floor(i / 5)]!,
    section_number: 5 - (i % 5),
    capacity: 30,
  })).reverse();
  await db('sections').insert(rows);
  const saved = await db('sections as s')
    .join('courses as c', 'c.id', 's.course_id')
    .where('s.term_id', termId)
    .orderBy(['c.code', 's.section_number', 's.id'])
    .pluck<number[]>('s.id');
  await db('section_meetings').insert(
    saved.flatMap((id, i) => [
      { section_id: id, day_of_week: 1 + (i % 5), starts_at: '09:00', ends_at: '10:15', room: 'B1' },
      { section_id: id, day_of_week: 1 + ((i + 2) % 5), starts_at: '13:00', ends_at: '14:15', room: 'B2' },
    ]),
  );
  return { termId: termId!, sectionIds: saved };
}
