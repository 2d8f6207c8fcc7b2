/** The `rush` world: the catalog (Rushline's term, the baseline's copy), the room, the students, their carts. */
import type { Knex } from 'knex';
import { insertInChunks } from '../seed/bulk-insert.js';
import { createRandom, type Random } from '../seed/random.js';

export const SECTIONS = 500;
export const HOT = 20;
export const CAPACITY = 40;
const CART = 5;
/** Five days of five 75-minute periods: a section's slot is its index mod 25, so a cart never clashes. */
const PERIODS = [
  ['08:00', '09:15'],
  ['09:30', '10:45'],
  ['11:00', '12:15'],
  ['12:30', '13:45'],
  ['14:00', '15:15'],
] as const;
const SLOTS = 5 * PERIODS.length;

export interface Student {
  userId: number;
  /** Indexes into the catalog (0…SECTIONS-1); hot sections are 0…HOT-1. */
  cart: number[];
}

export interface World {
  roomId: number;
  staffId: number;
  students: Student[];
  /** Section ids by catalog index: Rushline's term and the baseline's copy. */
  rushSections: number[];
  baseSections: number[];
}

function pickCart(rnd: Random): number[] {
  const hot = rnd.chance(0.5) ? 2 : 3;
  const picked = new Set<number>();
  const slots = new Set<number>();
  const take = (i: number) => {
    if (picked.has(i) || slots.has(i % SLOTS)) return;
    picked.add(i);
    slots.add(i % SLOTS);
  };
  while (picked.size < hot) take(rnd.int(0, HOT - 1));
  while (picked.size < CART) take(rnd.int(HOT, SECTIONS - 1));
  return [...picked];
}

/** A registration window open to every year for the term, from an hour ago for three hours, and its room. */
export async function insertRegistrationRoom(
  db: Knex,
  termId: number,
  room: {
    slug: string;
    name: string;
    ratePerMin: number;
    admissionMode: 'adaptive' | 'fixed';
    maxActive: number;
    prequeueOpensAt: Date;
    opensAt: Date;
  },
): Promise<number> {
  const now = Date.now();
  const [windowId] = await db('registration_windows').insert({
    term_id: termId,
    name: `${room.name}: everyone`,
    grades: JSON.stringify([1, 2, 3, 4]),
    opens_at: new Date(now - 3_600_000),
    closes_at: new Date(now + 3 * 3_600_000),
  });
  const [roomId] = await db('waiting_rooms').insert({
    slug: room.slug,
    name: room.name,
    kind: 'registration',
    registration_window_id: windowId,
    admission_rate_per_min: room.ratePerMin,
    admission_mode: room.admissionMode,
    max_active: room.maxActive,
    prequeue_opens_at: room.prequeueOpensAt,
    opens_at: room.opensAt,
  });
  return roomId!;
}

/**
 * A major, its professor and `count` one-section courses of 3 credits, each with one section of `capacity`
 * seats in every term of `termIds`. Returns, per term (in `termIds` order), the section ids by course index.
 */
export async function insertOneSectionCourses(
  db: Knex,
  o: {
    code: string;
    name: string;
    count: number;
    capacity: number;
    termIds: number[];
    course: (i: number) => { code: string; title: string };
  },
): Promise<number[][]> {
  const [majorId] = await db('majors').insert({ code: o.code, name: o.name });
  const [professorId] = await db('professors').insert({ name: `Prof ${o.name}`, major_id: majorId });
  await insertInChunks(
    db,
    'courses',
    Array.from({ length: o.count }, (_, i) => ({
      ...o.course(i),
      credits: 3,
      major_id: majorId,
      professor_id: professorId,
    })),
  );
  const courseIds = await db('courses').where({ major_id: majorId }).orderBy('id').pluck<number[]>('id');
  for (const t of o.termIds) {
    await insertInChunks(
      db,
      'sections',
      courseIds.map((c) => ({ term_id: t, course_id: c, section_number: 1, capacity: o.capacity })),
    );
  }
  const indexOf = new Map(courseIds.map((c, i) => [c, i]));
  const byTerm = o.termIds.map((): number[] => []);
  const rows = await db('sections')
    .whereIn('term_id', o.termIds)
    .select<{ id: number; term_id: number; course_id: number }[]>('id', 'term_id', 'course_id');
  for (const r of rows) byTerm[o.termIds.indexOf(r.term_id)]![indexOf.get(r.course_id)!] = r.id;
  return byTerm;
}

/**
 * One term of 500 one-section courses (40 seats, 3 credits, one weekly meeting), an open window for all
 * years and its registration room (pre-queue open, opening far ahead: the scenario opens it), a copy of
 * the sections in a second term for the baseline, the students and their carts. Bulk inserts only.
 */
export async function buildWorld(
  db: Knex,
  n: number,
  room: { ratePerMin: number; admissionMode: 'adaptive' | 'fixed'; maxActive: number },
): Promise<World> {
  const rnd = createRandom(20_261_122);
  const now = Date.now();
  const term = { starts_on: '2027-03-01', ends_on: '2027-06-30' };
  const [termId] = await db('terms').insert({ code: 'RUSH', name: 'Rush', ...term });
  const [baseTermId] = await db('terms').insert({ code: 'RUSH-BASE', name: 'Rush baseline', ...term });
  const [rushSections, baseSections] = (await insertOneSectionCourses(db, {
    code: 'RUSH',
    name: 'Rush',
    count: SECTIONS,
    capacity: CAPACITY,
    termIds: [termId!, baseTermId!],
    course: (i) => ({
      code: `RUSH${String(i).padStart(3, '0')}`,
      title: `${i < HOT ? 'Popular' : 'Course'} ${i}`,
    }),
  })) as [number[], number[]];
  await insertInChunks(
    db,
    'section_meetings',
    [...rushSections, ...baseSections].map((id, k) => {
      const slot = (k % SECTIONS) % SLOTS;
      const [starts, ends] = PERIODS[slot % PERIODS.length]!;
      return {
        section_id: id,
        day_of_week: 1 + Math.floor(slot / PERIODS.length),
        starts_at: starts,
        ends_at: ends,
        room: `HALL ${k % SECTIONS}`,
      };
    }),
  );
  const roomId = await insertRegistrationRoom(db, termId!, {
    slug: 'rush-registration',
    name: 'Rush registration',
    ...room,
    prequeueOpensAt: new Date(now - 60_000),
    opensAt: new Date(now + 86_400_000),
  });
  const [staffId] = await db('users').insert({
    username: 'rush-operator',
    password_hash: 'x',
    role: 'staff',
    display_name: 'Rush operator',
  });
  await insertInChunks(
    db,
    'users',
    Array.from({ length: n }, (_, i) => ({
      username: `rush${i}`,
      password_hash: 'x',
      role: 'student',
      display_name: `Student ${i}`,
      grade: 1 + (i % 4),
      credit_limit: 18,
    })),
  );
  const userIds = await db('users').where({ role: 'student' }).orderBy('id').pluck<number[]>('id');
  return {
    roomId,
    staffId: staffId!,
    students: userIds.map((userId) => ({ userId, cart: pickCart(rnd) })),
    rushSections,
    baseSections,
  };
}
