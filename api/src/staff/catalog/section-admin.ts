import type { Knex } from 'knex';
import { z } from 'zod';
import { ConflictError } from '../../../../core/errors.js';
import { decimalId } from '../../../../core/http/decimal-id.js';
import { keysetPage, pageFields } from './admin-page.js';
import { nonEmpty, type AdminResource } from './admin-resource.js';

export interface MeetingDto {
  dayOfWeek: number;
  startsAt: string;
  endsAt: string;
  room: string;
}

export interface SectionDto {
  id: number;
  termId: number;
  courseId: number;
  sectionNumber: number;
  capacity: number;
  enrolled: number;
  active: boolean;
  meetings: MeetingDto[];
  version: number;
}

interface SectionRow {
  id: number;
  term_id: number;
  course_id: number;
  section_number: number;
  capacity: number;
  enrolled: number;
  active: number;
  version: number;
}

interface MeetingRow {
  section_id: number;
  day_of_week: number;
  starts_at: string;
  ends_at: string;
  room: string;
}

const COLUMNS = ['id', 'term_id', 'course_id', 'section_number', 'capacity', 'enrolled', 'active', 'version'];

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time like 09:30');
const meeting = z
  .object({
    dayOfWeek: z.number().int().min(1).max(7),
    startsAt: hhmm,
    endsAt: hhmm,
    room: z.string().trim().min(1).max(32),
  })
  .strict()
  .refine((m) => m.startsAt < m.endsAt, { path: ['endsAt'], message: 'must be after startsAt' });
const meetings = z.array(meeting).max(14);
const fields = {
  sectionNumber: z.number().int().min(1).max(65535),
  capacity: z.number().int().min(1).max(100_000),
  active: z.boolean(),
  meetings,
};
const query = z
  .object({
    ...pageFields,
    termId: decimalId.optional(),
    courseId: decimalId.optional(),
    active: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  })
  .strict();
const create = z
  .object({
    termId: z.number().int().positive(),
    courseId: z.number().int().positive(),
    ...fields,
    active: fields.active.default(true),
    meetings: meetings.default([]),
  })
  .strict();
// Term and course are not editable: enrollments copy both, and their composite key pins them to the section.
const patch = z.object(fields).partial().strict().refine(nonEmpty, 'change at least one field');

/** Meetings of these sections, grouped by section, in weekday then time order. */
async function meetingsOf(db: Knex, ids: number[]): Promise<Map<number, MeetingDto[]>> {
  const byId = new Map<number, MeetingDto[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const rows = await db('section_meetings')
    .whereIn('section_id', ids)
    .orderBy(['section_id', 'day_of_week', 'starts_at', 'id'])
    .select<MeetingRow[]>('section_id', 'day_of_week', 'starts_at', 'ends_at', 'room');
  for (const r of rows) {
    byId.get(r.section_id)?.push({
      dayOfWeek: r.day_of_week,
      startsAt: r.starts_at.slice(0, 5),
      endsAt: r.ends_at.slice(0, 5),
      room: r.room,
    });
  }
  return byId;
}

async function withMeetings(db: Knex, rows: SectionRow[]): Promise<SectionDto[]> {
  const byId = await meetingsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    termId: r.term_id,
    courseId: r.course_id,
    sectionNumber: r.section_number,
    capacity: r.capacity,
    enrolled: r.enrolled,
    active: Boolean(r.active),
    meetings: byId.get(r.id) ?? [],
    version: r.version,
  }));
}

async function replaceMeetings(trx: Knex, sectionId: number, list: MeetingDto[]): Promise<void> {
  await trx('section_meetings').where({ section_id: sectionId }).delete();
  if (list.length === 0) return;
  await trx('section_meetings').insert(
    list.map((m) => ({
      section_id: sectionId,
      day_of_week: m.dayOfWeek,
      starts_at: m.startsAt,
      ends_at: m.endsAt,
      room: m.room,
    })),
  );
}

export const sectionAdmin: AdminResource<SectionDto, typeof query, typeof create, typeof patch> = {
  entity: 'section',
  table: 'sections',
  query,
  create,
  patch,
  list: (db, q) => {
    const qb = db('sections').select(COLUMNS);
    if (q.termId) void qb.where('term_id', q.termId);
    if (q.courseId) void qb.where('course_id', q.courseId);
    if (q.active !== undefined) void qb.where('active', q.active);
    return keysetPage<SectionRow, SectionDto>(qb, 'id', q, (rows) => withMeetings(db, rows));
  },
  find: async (db, id, lock) => {
    const qb = db('sections').where({ id }).first<SectionRow | undefined>(COLUMNS);
    // The lock also holds off enrollments, which increment `enrolled` under this same row lock.
    const row = await (lock ? qb.forUpdate() : qb);
    return row && (await withMeetings(db, [row]))[0];
  },
  insert: async (trx, s) => {
    const [id] = await trx('sections').insert({
      term_id: s.termId,
      course_id: s.courseId,
      section_number: s.sectionNumber,
      capacity: s.capacity,
      active: s.active,
    });
    await replaceMeetings(trx, Number(id), s.meetings);
    return Number(id);
  },
  changes: (_trx, before, s) => {
    if (s.capacity !== undefined && s.capacity < before.enrolled) {
      throw new ConflictError(
        'CAPACITY_BELOW_ENROLLED',
        `${before.enrolled} students are enrolled; capacity can't go below that`,
        { enrolled: before.enrolled },
      );
    }
    return Promise.resolve({ section_number: s.sectionNumber, capacity: s.capacity, active: s.active });
  },
  // Replace-all: the body's list is the whole timetable of the section; absent means unchanged.
  afterUpdate: async (trx, id, s) => {
    if (s.meetings) await replaceMeetings(trx, id, s.meetings);
  },
  checkDelete: async (trx, before) => {
    const enrolled = await trx('enrollments')
      .where({ section_id: before.id })
      .first<{ id: number } | undefined>('id');
    const carted = await trx('cart_items')
      .where({ section_id: before.id })
      .first<{ id: number } | undefined>('id');
    if (before.enrolled > 0 || enrolled || carted) {
      throw new ConflictError(
        'SECTION_HAS_ENROLLMENTS',
        'Students have this section enrolled or in their cart; deactivate it (PATCH { "active": false }) instead',
      );
    }
  },
};
