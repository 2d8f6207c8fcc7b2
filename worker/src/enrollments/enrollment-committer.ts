import type { Knex } from 'knex';
import { insertedIds } from '../../../core/db.js';
import type { SeatClaimPath } from '../../../core/metrics/commit-metrics.js';
import { parseJson, type RequestRow } from '../../../core/requests/request-store.js';
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

export interface EnrollmentCommitOptions {
  /**
   * Seats every section must have left, beyond the batch's own demand, for the batch to claim its seats
   * at the end (0: whenever the batch fits). The worker passes its largest batch, so a batch running
   * beside it rarely makes the claim fail.
   */
  claimHeadroom?: number;
  /** Told which path the batch took. */
  onClaim?: (path: SeatClaimPath) => void;
}

/**
 * Commits a batch of enrollment requests in ONE transaction: the requests and their students are
 * locked first (each by id, so two batches can't deadlock), each request is decided in admission order
 * against a snapshot, then all writes go out in a few bulk statements.
 *
 * The sections' seat counts are taken one of two ways (ADR 030):
 * - **late**, when every section is active and has room for the whole batch (plus `claimHeadroom`)
 *   in a read without a lock: decisions against that read cannot meet a full or inactive section, so
 *   the enrollments, audit rows, outcomes and notifications are written first, and the seats are claimed
 *   last (claimSeats: lock, check there is still room and the section is active, write the counts). A
 *   hot section is then locked only for the claim and the commit, not for every row the batch writes.
 *   If another batch or staff changed a section in between and the check fails, everything since a
 *   savepoint is undone and the batch is decided again the locked way.
 * - **locked**, otherwise (a section near full, inactive, or a claim that failed): the sections are
 *   locked before deciding, so who gets the last seats is decided on the counts as they stand.
 *
 * `requestIds` must all be enrollment requests. Requests no longer `queued` (already committed by an
 * earlier run of the same job) are skipped; the caller reports their stored outcome.
 */
export async function commitEnrollmentBatch(
  trx: Knex.Transaction,
  requestIds: number[],
  now: Date,
  options: EnrollmentCommitOptions = {},
): Promise<DecidedRequest[]> {
  const requests = await lockQueuedRequests(trx, requestIds, 'enrollment');
  if (requests.length === 0) return [];

  const wanted = sortByAdmission(
    requests.map((r) => {
      const parsed = enrollmentPayload.safeParse(parseJson(r.payload));
      return { row: r, sectionIds: parsed.success ? parsed.data.sectionIds : [] };
    }),
  );
  const sectionIds = [...new Set(wanted.flatMap((w) => w.sectionIds))].sort((a, b) => a - b);
  const userIds = [...new Set(requests.map((r) => r.user_id))].sort((a, b) => a - b);

  // Everything but the seat counts is read before any section is locked. The students are locked
  // before the sections on every path (the fixed order: requests, students, sections).
  const seen = await readSections(trx, sectionIds);
  const termIds = [...new Set([...seen.values()].map((s) => s.termId))];
  const students = await loadStudents(trx, userIds, termIds);
  const windows = await loadWindows(trx, termIds);
  const batch: Batch = { trx, requests, wanted, windows, now };

  if (fitsWithRoomToSpare(wanted, seen, options.claimHeadroom ?? 0)) {
    try {
      // A savepoint: a failed claim undoes only what this attempt wrote; the locks taken above stay.
      const decided = await trx.transaction(async (sp) => {
        const written = await decideAndWrite({ ...batch, trx: sp }, seen, students);
        await claimSeats(sp, written.changed);
        return written.decided;
      });
      options.onClaim?.('late');
      return decided;
    } catch (err) {
      if (!(err instanceof SeatsMoved)) throw err;
      options.onClaim?.('late_retried');
    }
    // Deciding changed the students' snapshots: read them again (their locks are already held).
    const again = await loadStudents(trx, userIds, termIds);
    return decideLocked(batch, seen, again);
  }
  options.onClaim?.('locked');
  return decideLocked(batch, seen, students);
}

async function decideLocked(
  batch: Batch,
  seen: Map<number, SeenSection>,
  students: Map<number, StudentState>,
): Promise<DecidedRequest[]> {
  const written = await decideAndWrite(batch, await lockSections(batch.trx, seen), students);
  await writeSeatCounts(batch.trx, written.changed);
  return written.decided;
}

/** A late claim's check failed: a section filled up, went inactive or went away since it was read. */
class SeatsMoved extends Error {}

interface Batch {
  trx: Knex.Transaction;
  requests: RequestRow[];
  wanted: { row: RequestRow; sectionIds: number[] }[];
  windows: WindowState[];
  now: Date;
}

/**
 * Whether deciding against `seen` (read without locks) can't meet a full or inactive section: every
 * section is active and has seats for everyone in the batch who wants it, and `headroom` more.
 */
function fitsWithRoomToSpare(
  wanted: Batch['wanted'],
  seen: Map<number, SeenSection>,
  headroom: number,
): boolean {
  const demand = new Map<number, number>();
  for (const w of wanted) for (const id of new Set(w.sectionIds)) demand.set(id, (demand.get(id) ?? 0) + 1);
  for (const [id, n] of demand) {
    const s = seen.get(id);
    // A missing section is rejected whichever way; nothing to claim for it.
    if (s && (!s.active || s.capacity - s.enrolled < n + headroom)) return false;
  }
  return true;
}

/**
 * Decides every request in admission order against `sections` and writes the enrollments, their audit
 * rows, the outcomes and the notifications. Returns the decisions and the sections whose count grew;
 * their seats are not yet claimed.
 */
async function decideAndWrite(
  b: Batch,
  sectionsRead: Map<number, SeenSection>,
  students: Map<number, StudentState>,
): Promise<{ decided: DecidedRequest[]; changed: CountedSection[] }> {
  const { trx } = b;
  const sections = new Map(
    [...sectionsRead].map(([id, s]) => [id, { ...s, initialEnrolled: s.enrolled }] as const),
  );
  const decided: DecidedRequest[] = [];
  const newEnrollments: {
    user_id: number;
    section_id: number;
    course_id: number;
    term_id: number;
    request_id: number;
  }[] = [];
  for (const { row, sectionIds: ids } of b.wanted) {
    const student = students.get(row.user_id);
    if (!student || ids.length === 0) {
      decided.push({
        row,
        outcome: { status: 'rejected', code: 'INVALID_REQUEST', message: 'This request cannot be processed' },
      });
      continue;
    }
    const items = ids.map((id) => decideSection(student, sections.get(id), b.windows, b.now, id));
    for (const item of items) {
      if (item.status !== 'committed') continue;
      const s = sections.get(item.sectionId as number) as CountedSection;
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
            b.requests.map((r) => r.id),
          )
          .select<{ id: number; request_id: number; section_id: number }[]>('id', 'request_id', 'section_id');
    const idOf = new Map(ids.map((e) => [`${e.request_id}:${e.section_id}`, e.id]));
    for (const d of decided) {
      for (const item of d.outcome.details?.items ?? []) {
        if (item.status === 'committed') item.enrollmentId = idOf.get(`${d.row.id}:${item.sectionId}`);
      }
    }
    const ownerOf = new Map(b.requests.map((r) => [r.id, r.user_id]));
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
  await writeOutcomes(trx, decided, b.now);
  return { decided, changed: [...sections.values()].filter((s) => s.enrolled !== s.initialEnrolled) };
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

/** A section as read, with its seat count, capacity and `active` (locked or not: see the callers). */
type SeenSection = SectionState;
type CountedSection = SectionState & { initialEnrolled: number };

/**
 * The sections, read without locking: what doesn't change during a sale (course, credits, meetings,
 * label) and, as they stand at this moment, the seat count, capacity and `active`.
 */
async function readSections(trx: Knex.Transaction, ids: number[]): Promise<Map<number, SeenSection>> {
  if (ids.length === 0) return new Map();
  const rows = await trx('sections')
    .whereIn('id', ids)
    .select<SectionRow[]>('id', 'term_id', 'course_id', 'section_number', 'capacity', 'enrolled', 'active');
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
          capacity: r.capacity,
          enrolled: r.enrolled,
          active: Boolean(r.active),
          meetings: meetings.get(r.id) ?? [],
          label: `${course?.code ?? 'course'}-${String(r.section_number).padStart(2, '0')}`,
        },
      ];
    }),
  );
}

interface SectionRow {
  id: number;
  term_id: number;
  course_id: number;
  section_number: number;
  capacity: number;
  enrolled: number;
  active: number;
}

/**
 * `seen`'s sections as they stand, locked (in id order, so two batches can't deadlock) until the batch
 * commits; a section deleted since it was read is left out.
 */
async function lockSections(
  trx: Knex.Transaction,
  seen: Map<number, SeenSection>,
): Promise<Map<number, SeenSection>> {
  if (seen.size === 0) return new Map();
  const rows = await trx('sections')
    .whereIn('id', [...seen.keys()])
    .orderBy('id')
    .forUpdate()
    .select<Omit<SectionRow, 'section_number'>[]>(
      'id',
      'term_id',
      'course_id',
      'capacity',
      'enrolled',
      'active',
    );
  const out = new Map<number, SeenSection>();
  for (const r of rows) {
    const s = seen.get(r.id);
    if (s)
      out.set(r.id, {
        ...s,
        termId: r.term_id,
        courseId: r.course_id,
        capacity: r.capacity,
        enrolled: r.enrolled,
        active: Boolean(r.active),
      });
  }
  return out;
}

/**
 * A late batch's seats: locks the changed sections (in id order, as the locked path does) and checks each
 * is still there, active, of the term and course its enrollments copied, with room for what the batch
 * took; then writes the new counts. The check is what keeps a section from being oversold by a late
 * claim and, with no foreign key from enrollments to sections (ADR 030), what keeps an enrollment's copies
 * equal to its section's. Throws SeatsMoved when a section fails it.
 */
async function claimSeats(trx: Knex.Transaction, changed: CountedSection[]): Promise<void> {
  if (changed.length === 0) return;
  const now = await lockSections(trx, new Map(changed.map((s) => [s.id, s])));
  const counts: SeatCount[] = [];
  for (const s of changed) {
    const n = now.get(s.id);
    const taken = s.enrolled - s.initialEnrolled;
    const same = n?.termId === s.termId && n.courseId === s.courseId;
    if (!n || !same || !n.active || n.enrolled + taken > n.capacity) throw new SeatsMoved();
    counts.push({ id: s.id, enrolled: n.enrolled + taken });
  }
  await writeSeatCounts(trx, counts);
}

type SeatCount = Pick<SectionState, 'id' | 'enrolled'>;

/**
 * The new seat counts of the sections a batch changed, in one statement, on rows this transaction holds
 * locked: a batch of a few hundred carts touches hundreds of sections, and one UPDATE each kept the hot
 * sections locked for as many round trips.
 */
async function writeSeatCounts(trx: Knex.Transaction, changed: SeatCount[]): Promise<void> {
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
