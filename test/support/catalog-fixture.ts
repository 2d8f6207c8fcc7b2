import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from '../../core/auth/password.js';

/**
 * A small registration world of its own (term, major, courses, sections with timetables, an open
 * window and its waiting room), with unique codes so tests sharing the run's database never meet.
 */
export interface EnrollmentFixture {
  termId: number;
  windowId: number;
  roomId: number;
  majorId: number;
  professorId: number;
  tag: string;
}

export async function createEnrollmentFixture(
  db: Knex,
  opts: { grades?: number[]; windowOpen?: boolean } = {},
): Promise<EnrollmentFixture> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const [termId] = await db('terms').insert({
    code: `T-${tag}`,
    name: `Term ${tag}`,
    starts_on: '2027-03-01',
    ends_on: '2027-06-30',
  });
  const [majorId] = await db('majors').insert({ code: `M${tag}`, name: `Major ${tag}` });
  const [professorId] = await db('professors').insert({ name: `Prof ${tag}`, major_id: majorId });
  const now = Date.now();
  const open = opts.windowOpen ?? true;
  const [windowId] = await db('registration_windows').insert({
    term_id: termId,
    name: `Window ${tag}`,
    grades: JSON.stringify(opts.grades ?? [1, 2, 3, 4]),
    opens_at: new Date(open ? now - 3_600_000 : now + 3_600_000),
    closes_at: new Date(now + 7_200_000),
  });
  const [roomId] = await db('waiting_rooms').insert({
    slug: `reg-${tag.toLowerCase()}`,
    name: `Registration ${tag}`,
    kind: 'registration',
    registration_window_id: windowId,
    admission_rate_per_min: 60_000,
    max_active: 100_000,
    prequeue_opens_at: new Date(now - 3_600_000),
    opens_at: new Date(now - 60_000),
  });
  return {
    termId: termId!,
    windowId: windowId!,
    roomId: roomId!,
    majorId: majorId!,
    professorId: professorId!,
    tag,
  };
}

let courseCounter = 0;

/** A course with one section and its weekly meetings, e.g. meetings [[1, '09:00', '10:15'], [3, '09:00', '10:15']]. */
export async function createSection(
  db: Knex,
  f: EnrollmentFixture,
  opts: {
    capacity: number;
    credits?: number;
    meetings?: [number, string, string][];
    courseId?: number;
    sectionNumber?: number;
  },
): Promise<{ sectionId: number; courseId: number }> {
  let courseId = opts.courseId;
  if (courseId === undefined) {
    courseCounter++;
    [courseId] = await db('courses').insert({
      code: `C${f.tag}${courseCounter}`.slice(0, 16),
      title: `Course ${courseCounter}`,
      credits: opts.credits ?? 3,
      major_id: f.majorId,
      professor_id: f.professorId,
    });
  }
  const [sectionId] = await db('sections').insert({
    term_id: f.termId,
    course_id: courseId,
    section_number: opts.sectionNumber ?? 1,
    capacity: opts.capacity,
  });
  const meetings = opts.meetings ?? [[5, '16:00', '16:50']];
  await db('section_meetings').insert(
    meetings.map(([day, start, end]) => ({
      section_id: sectionId,
      day_of_week: day,
      starts_at: start,
      ends_at: end,
      room: 'ENG 101',
    })),
  );
  return { sectionId: sectionId!, courseId: courseId! };
}

let cachedHash: Promise<string> | undefined;

/** Inserts `count` students in bulk and returns their ids in order. */
export async function createStudents(
  db: Knex,
  count: number,
  opts: { grade?: number; creditLimit?: number } = {},
): Promise<number[]> {
  const hash = await (cachedHash ??= hashPassword('race-password'));
  const tag = randomBytes(4).toString('hex');
  const rows = Array.from({ length: count }, (_, i) => ({
    username: `s_${tag}_${i}`,
    password_hash: hash,
    role: 'student',
    display_name: `Student ${i}`,
    grade: opts.grade ?? 2,
    credit_limit: opts.creditLimit ?? 18,
  }));
  for (let i = 0; i < rows.length; i += 1_000) await db('users').insert(rows.slice(i, i + 1_000));
  return db('users').where('username', 'like', `s_${tag}_%`).orderBy('id').pluck<number[]>('id');
}
