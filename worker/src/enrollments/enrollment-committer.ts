import type { Knex } from 'knex';
import { insertedIds } from '../../../core/db.js';
import { parseJson } from '../../../core/requests/request-store.js';
import {
  enrollmentPayload,
  type OutcomeItem,
  type RequestOutcome,
} from '../../../core/requests/request-types.js';
import { writeOutcomes, type DecidedRequest } from '../commit/outcome-writer.js';
import { lockQueuedRequests, sortByAdmission } from '../commit/queued-requests.js';
import {
  decideSection,
  type Meeting,
  type SectionState,
  type StudentState,
  type WindowState,
} from './enrollment-rules.js';

const minutes = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * Commits a batch of enrollment requests in ONE transaction: the rows they touch are locked once, in a
 * fixed order (requests, then students, then sections, each by id) so two batches can't deadlock; each
 * request is decided in admission order against the snapshot; then all writes go out in a few bulk
 * statements. A hot section thus costs one lock round per batch, not one per request.
 *
 * `requestIds` must all be enrollment requests. Requests no longer `queued` (already committed by an
 * earlier run of the same job) are skipped; the caller reports their stored outcome.
 */
export async function commitEnrollmentBatch(
  trx: Knex.Transaction,
  requestIds: number[],
  now: Date,
): Promise<DecidedRequest[]> {
  const requests = await lockQueuedRequests(trx, requestIds, 'enrollment');
  if (requests.length === 0) return [];

  const wanted = requests.map((r) => {
    const parsed = enrollmentPayload.safeParse(parseJson(r.payload));
    return { row: r, sectionIds: parsed.success ? parsed.data.sectionIds : [] };
  });
  const sectionIds = [...new Set(wanted.flatMap((w) => w.sectionIds))].sort((a, b) => a - b);
  const userIds = [...new Set(requests.map((r) => r.user_id))].sort((a, b) => a - b);

  // Everything but the seat counts is read before the sections are locked: a hot section's lock is
  // held only for deciding and writing.
  const info = await sectionInfo(trx, sectionIds);
  const termIds = [...new Set([...info.values()].map((s) => s.termId))];
  const students = await loadStudents(trx, userIds, termIds);
  const windows = await loadWindows(trx, termIds);
  const sections = await lockSections(trx, info);

  const decided: DecidedRequest[] = [];
  const newEnrollments: {
    user_id: number;
    section_id: number;
    course_id: number;
    term_id: number;
    request_id: number;
  }[] = [];
  for (const { row, sectionIds: ids } of sortByAdmission(wanted)) {
    const student = students.get(row.user_id);
    if (!student || ids.length === 0) {
      decided.push({
        row,
        outcome: { status: 'rejected', code: 'INVALID_REQUEST', message: 'This request cannot be processed' },
      });
      continue;
    }
    const items = ids.map((id) => decideSection(student, sections.get(id), windows, now, id));
    for (const item of items) {
      if (item.status !== 'committed') continue;
      const s = sections.get(item.sectionId as number) as SectionState;
      newEnrollments.push({
        user_id: row.user_id,
        section_id: s.id,
        course_id: s.courseId,
        term_id: s.termId,
        request_id: row.id,
      });
    }
    decided.push({ row, outcome: summarise(items) });
  }

  if (newEnrollments.length > 0) {
    const [firstId] = await trx('enrollments').insert(newEnrollments);
    const given = await insertedIds(trx, firstId, newEnrollments.length);
    const ids = given
      ? newEnrollments.map((e, i) => ({
          id: given[i] as number,
          request_id: e.request_id,
          section_id: e.section_id,
        }))
      : await trx('enrollments')
          .whereIn(
            'request_id',
            requests.map((r) => r.id),
          )
          .select<{ id: number; request_id: number; section_id: number }[]>('id', 'request_id', 'section_id');
    const idOf = new Map(ids.map((e) => [`${e.request_id}:${e.section_id}`, e.id]));
    for (const d of decided) {
      for (const item of d.outcome.details?.items ?? []) {
        if (item.status === 'committed') item.enrollmentId = idOf.get(`${d.row.id}:${item.sectionId}`);
      }
    }
    await writeSeatCounts(
      trx,
      [...sections.values()].filter((s) => s.enrolled !== s.initialEnrolled),
    );
    const ownerOf = new Map(requests.map((r) => [r.id, r.user_id]));
    await trx('audit_log').insert(
      ids.map((e) => ({
        actor_user_id: ownerOf.get(e.request_id) ?? null,
        entity: 'enrollment',
        entity_id: String(e.id),
        action: 'enroll',
        before: null,
        after: JSON.stringify({ sectionId: e.section_id }),
        request_id: e.request_id,
      })),
    );
  }
  await writeOutcomes(trx, decided, now);
  return decided;
}

function summarise(items: OutcomeItem[]): RequestOutcome {
  const granted = items.filter((i) => i.status === 'committed');
  if (granted.length === items.length) {
    return {
      status: 'committed',
      code: 'ENROLLED',
      message: granted.map((i) => i.message).join('; '),
      details: { items },
    };
  }
  if (granted.length === 0) {
    const first = items[0] as OutcomeItem;
    return {
      status: 'rejected',
      code: first.code,
      message: items.map((i) => i.message).join('; '),
      details: { items },
    };
  }
  return {
    status: 'committed',
    code: 'PARTIALLY_ENROLLED',
    message: `Enrolled in ${granted.length} of ${items.length}: ${items.map((i) => i.message).join('; ')}`,
    details: { items },
  };
}

type LockedSection = SectionState & { initialEnrolled: number };
type SectionInfo = Omit<SectionState, 'capacity' | 'enrolled' | 'active'>;

/** What doesn't change during a sale: course, credits, meetings, label. Read without locking. */
async function sectionInfo(trx: Knex.Transaction, ids: number[]): Promise<Map<number, SectionInfo>> {
  if (ids.length === 0) return new Map();
  const rows = await trx('sections')
    .whereIn('id', ids)
    .select<{ id: number; term_id: number; course_id: number; section_number: number }[]>(
      'id',
      'term_id',
      'course_id',
      'section_number',
    );
  const courses = await trx('courses')
    .whereIn('id', [...new Set(rows.map((r) => r.course_id))])
    .select<{ id: number; code: string; credits: number }[]>('id', 'code', 'credits');
  const courseOf = new Map(courses.map((c) => [c.id, c]));
  const meetings = await meetingsOf(trx, ids);
  return new Map(
    rows.map((r) => {
      const course = courseOf.get(r.course_id);
      return [
        r.id,
        {
          id: r.id,
          termId: r.term_id,
          courseId: r.course_id,
          credits: course?.credits ?? 0,
          meetings: meetings.get(r.id) ?? [],
          label: `${course?.code ?? 'course'}-${String(r.section_number).padStart(2, '0')}`,
        },
      ];
    }),
  );
}

/**
 * The seat counts and `active`, locked (in id order, so two batches can't deadlock) until the batch
 * commits; `active` is read under the lock because staff deactivate a section during a sale.
 */
async function lockSections(
  trx: Knex.Transaction,
  info: Map<number, SectionInfo>,
): Promise<Map<number, LockedSection>> {
  if (info.size === 0) return new Map();
  const rows = await trx('sections')
    .whereIn('id', [...info.keys()])
    .orderBy('id')
    .forUpdate()
    .select<{ id: number; capacity: number; enrolled: number; active: number }[]>(
      'id',
      'capacity',
      'enrolled',
      'active',
    );
  const out = new Map<number, LockedSection>();
  for (const r of rows) {
    const i = info.get(r.id);
    if (i)
      out.set(r.id, {
        ...i,
        capacity: r.capacity,
        enrolled: r.enrolled,
        active: Boolean(r.active),
        initialEnrolled: r.enrolled,
      });
  }
  return out;
}

/**
 * The new seat counts of the sections a batch changed, in one statement: a batch of a few hundred carts
 * touches hundreds of sections, and one UPDATE each kept the hot sections locked for as many round trips.
 */
async function writeSeatCounts(trx: Knex.Transaction, changed: LockedSection[]): Promise<void> {
  if (changed.length === 0) return;
  const ids = changed.map((s) => s.id);
  await trx.raw(
    `UPDATE sections SET enrolled = CASE id ${changed.map(() => 'WHEN ? THEN ?').join(' ')} END
     WHERE id IN (${ids.map(() => '?').join(', ')})`,
    [...changed.flatMap((s) => [s.id, s.enrolled]), ...ids],
  );
}

async function meetingsOf(trx: Knex.Transaction, sectionIds: number[]): Promise<Map<number, Meeting[]>> {
  const out = new Map<number, Meeting[]>();
  if (sectionIds.length === 0) return out;
  const rows = await trx('section_meetings')
    .whereIn('section_id', sectionIds)
    .select<{ section_id: number; day_of_week: number; starts_at: string; ends_at: string }[]>(
      'section_id',
      'day_of_week',
      'starts_at',
      'ends_at',
    );
  for (const m of rows) {
    const list = out.get(m.section_id) ?? [];
    list.push({ day: m.day_of_week, start: minutes(m.starts_at), end: minutes(m.ends_at) });
    out.set(m.section_id, list);
  }
  return out;
}

async function loadStudents(
  trx: Knex.Transaction,
  userIds: number[],
  termIds: number[],
): Promise<Map<number, StudentState>> {
  // Locking the students serialises one student's concurrent requests (two tabs): credits and clashes
  // are checked against everything they already hold.
  const users = await trx('users')
    .whereIn('id', userIds)
    .orderBy('id')
    .forUpdate()
    .select<{ id: number; grade: number | null; credit_limit: number }[]>('id', 'grade', 'credit_limit');
  const students = new Map<number, StudentState>(
    users.map((u) => [u.id, { id: u.id, grade: u.grade, creditLimit: u.credit_limit, enrolled: new Map() }]),
  );
  if (termIds.length === 0) return students;
  // Forced: with a long id list and statistics from when the table was small (the start of a rush),
  // the optimizer scans every enrollment instead of looking each student up.
  const held = await trx
    .from(
      trx.raw('?? FORCE INDEX (??)', ['enrollments as e', 'enrollments_user_id_term_id_course_id_unique']),
    )
    .join('sections as s', 's.id', 'e.section_id')
    .join('courses as c', 'c.id', 'e.course_id')
    .whereIn('e.user_id', userIds)
    .whereIn('e.term_id', termIds)
    .select<
      {
        user_id: number;
        section_id: number;
        course_id: number;
        term_id: number;
        credits: number;
        code: string;
        section_number: number;
      }[]
    >('e.user_id', 'e.section_id', 'e.course_id', 'e.term_id', 'c.credits', 'c.code', 's.section_number');
  const meetings = await meetingsOf(trx, [...new Set(held.map((h) => h.section_id))]);
  for (const h of held) {
    students.get(h.user_id)?.enrolled.set(h.section_id, {
      courseId: h.course_id,
      termId: h.term_id,
      credits: h.credits,
      meetings: meetings.get(h.section_id) ?? [],
      label: `${h.code}-${String(h.section_number).padStart(2, '0')}`,
    });
  }
  return students;
}

async function loadWindows(trx: Knex.Transaction, termIds: number[]): Promise<WindowState[]> {
  if (termIds.length === 0) return [];
  const rows = await trx('registration_windows')
    .whereIn('term_id', termIds)
    .select<{ term_id: number; grades: unknown; opens_at: Date; closes_at: Date }[]>(
      'term_id',
      'grades',
      'opens_at',
      'closes_at',
    );
  return rows.map((w) => ({
    termId: w.term_id,
    grades: (parseJson(w.grades) as number[]) ?? [],
    opensAt: w.opens_at,
    closesAt: w.closes_at,
  }));
}
