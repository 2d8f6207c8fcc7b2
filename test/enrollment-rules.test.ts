import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import request from 'supertest';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import { CommitQueues } from '../core/queues.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { type OutcomeItem, type RequestView } from '../core/requests/request-types.js';
import type { CommitResult, RequestCommitter } from '../worker/src/commit/request-committer.js';
import { testRequestCommitter } from './support/committers.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
  type EnrollmentFixture,
} from './support/catalog-fixture.js';
import {
  commitJobOf,
  countRows,
  enrollmentHeaders,
  expectSectionCountsMatchRows,
} from './support/enrollment-submissions.js';
import { listenOnFreePort } from './support/listen.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { tokenFor } from './support/tokens.js';

/**
 * Each enrollment rule through the real path: POST /api/enrollments records the request row and its
 * BullMQ job; the job's request id is committed by the worker's RequestCommitter (called directly, as a
 * commit worker would); the stored outcome is read back through GET /api/requests/:id.
 */
describe('enrollment rules through api → MySQL + BullMQ → commit', function () {
  this.timeout(20_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let api: { server: Server; url: string };
  let committer: RequestCommitter;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis, queues }));
    committer = testRequestCommitter(db);
  });
  after(async () => {
    await new Promise((r) => api.server.close(r));
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  const as = (userId: number) => ({ authorization: `Bearer ${tokenFor(cfg, userId)}` });

  /** Submits through the api and returns the request id (the row and its job exist by then). */
  async function submit(
    f: EnrollmentFixture,
    userId: number,
    sectionIds: number[],
    opts: { queueNumber?: number } = {},
  ): Promise<number> {
    const res = await request(api.url)
      .post('/api/enrollments')
      .set(enrollmentHeaders(cfg, userId, f.roomId, opts))
      .send({ sectionIds });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return res.body.requestId as number;
  }

  /** What a commit worker does with the jobs: commit the requests they carry. */
  async function commitJobs(requestIds: number[]): Promise<CommitResult[]> {
    for (const id of requestIds) {
      const job = await commitJobOf(db, queues, id);
      expect(job?.data.requestIds, `job for request ${id}`).to.include(id);
    }
    return committer.commit(requestIds);
  }

  async function view(userId: number, requestId: number): Promise<RequestView> {
    const res = await request(api.url).get(`/api/requests/${requestId}`).set(as(userId));
    expect(res.status).to.equal(200);
    return res.body as RequestView;
  }

  /** Submit, commit, and read the stored outcome back as its owner sees it. */
  async function enroll(f: EnrollmentFixture, userId: number, sectionIds: number[]): Promise<RequestView> {
    const requestId = await submit(f, userId, sectionIds);
    const [result] = await commitJobs([requestId]);
    expect(result?.kind).to.equal('decided');
    return view(userId, requestId);
  }

  const itemCodes = (v: RequestView) => (v.outcome?.details?.items ?? []).map((i: OutcomeItem) => i.code);

  function expectRejected(v: RequestView, code: string, items: string[] = [code]) {
    expect(v.status, JSON.stringify(v.outcome)).to.equal('rejected');
    expect(v.outcome?.code).to.equal(code);
    expect(itemCodes(v)).to.deep.equal(items);
    expect(v.completedAt).to.be.a('string');
  }

  function expectEnrolled(v: RequestView) {
    expect(v.status, JSON.stringify(v.outcome)).to.equal('committed');
    expect(v.outcome?.code).to.equal('ENROLLED');
  }

  const student = async (opts: { grade?: number; creditLimit?: number } = {}) =>
    (await createStudents(db, 1, opts))[0] as number;

  const enrollmentsOf = (userId: number) =>
    db('enrollments').where({ user_id: userId }).orderBy('id').pluck<number[]>('section_id');

  it("refuses with WINDOW_CLOSED when the student's grade is not in the open window", async () => {
    const f = await createEnrollmentFixture(db, { grades: [4] });
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const userId = await student({ grade: 2 });
    expectRejected(await enroll(f, userId, [sectionId]), 'WINDOW_CLOSED');
    expect(await enrollmentsOf(userId)).to.deep.equal([]);
    await expectSectionCountsMatchRows(db, [sectionId]);

    // The same section is open to a senior.
    const senior = await student({ grade: 4 });
    expectEnrolled(await enroll(f, senior, [sectionId]));
  });

  it('refuses with WINDOW_CLOSED when the window has not opened yet', async () => {
    const f = await createEnrollmentFixture(db, { windowOpen: false });
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const userId = await student();
    expectRejected(await enroll(f, userId, [sectionId]), 'WINDOW_CLOSED');
    expect(await countRows(db, 'enrollments', { section_id: sectionId })).to.equal(0);
    await expectSectionCountsMatchRows(db, [sectionId]);
  });

  it('refuses with SECTION_FULL once the last seat is taken', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 1 });
    const [first, second] = (await createStudents(db, 2)) as [number, number];
    expectEnrolled(await enroll(f, first, [sectionId]));
    expectRejected(await enroll(f, second, [sectionId]), 'SECTION_FULL');
    expect(await enrollmentsOf(second)).to.deep.equal([]);
    expect(await countRows(db, 'enrollments', { section_id: sectionId })).to.equal(1);
    await expectSectionCountsMatchRows(db, [sectionId]);
  });

  it('decides one batch in admission order: the earlier queue number gets the last seat', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 1 });
    const [late, early] = (await createStudents(db, 2)) as [number, number];
    // The late one is recorded first (lower request id) but was admitted after the early one.
    const lateReq = await submit(f, late, [sectionId], { queueNumber: 2 });
    const earlyReq = await submit(f, early, [sectionId], { queueNumber: 1 });
    const results = await commitJobs([lateReq, earlyReq]);
    expect(results.map((r) => r.kind)).to.deep.equal(['decided', 'decided']);
    expectEnrolled(await view(early, earlyReq));
    expectRejected(await view(late, lateReq), 'SECTION_FULL');
    await expectSectionCountsMatchRows(db, [sectionId]);
  });

  it('refuses with ALREADY_ENROLLED a section the student holds', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const userId = await student();
    expectEnrolled(await enroll(f, userId, [sectionId]));
    expectRejected(await enroll(f, userId, [sectionId]), 'ALREADY_ENROLLED');
    expect(await enrollmentsOf(userId)).to.deep.equal([sectionId]);
    await expectSectionCountsMatchRows(db, [sectionId]);
  });

  it('refuses with COURSE_ALREADY_TAKEN another section of a course the student takes', async () => {
    const f = await createEnrollmentFixture(db);
    const one = await createSection(db, f, { capacity: 5, meetings: [[1, '09:00', '09:50']] });
    const two = await createSection(db, f, {
      capacity: 5,
      courseId: one.courseId,
      sectionNumber: 2,
      meetings: [[2, '13:00', '13:50']],
    });
    const userId = await student();
    expectEnrolled(await enroll(f, userId, [one.sectionId]));
    expectRejected(await enroll(f, userId, [two.sectionId]), 'COURSE_ALREADY_TAKEN');
    expect(await enrollmentsOf(userId)).to.deep.equal([one.sectionId]);
    await expectSectionCountsMatchRows(db, [one.sectionId, two.sectionId]);
  });

  it('refuses with TIMETABLE_CLASH an overlapping meeting, but not one that starts as the other ends', async () => {
    const f = await createEnrollmentFixture(db);
    const held = await createSection(db, f, {
      capacity: 5,
      meetings: [
        [1, '09:00', '10:15'],
        [3, '09:00', '10:15'],
      ],
    });
    const overlapping = await createSection(db, f, { capacity: 5, meetings: [[3, '10:00', '11:00']] });
    const touching = await createSection(db, f, { capacity: 5, meetings: [[1, '10:15', '11:30']] });
    const otherDay = await createSection(db, f, { capacity: 5, meetings: [[2, '09:00', '10:15']] });
    const userId = await student();
    expectEnrolled(await enroll(f, userId, [held.sectionId]));
    const clash = await enroll(f, userId, [overlapping.sectionId]);
    expectRejected(clash, 'TIMETABLE_CLASH');
    expectEnrolled(await enroll(f, userId, [touching.sectionId]));
    expectEnrolled(await enroll(f, userId, [otherDay.sectionId]));
    expect(await enrollmentsOf(userId)).to.deep.equal([
      held.sectionId,
      touching.sectionId,
      otherDay.sectionId,
    ]);
    await expectSectionCountsMatchRows(db, [
      held.sectionId,
      overlapping.sectionId,
      touching.sectionId,
      otherDay.sectionId,
    ]);
  });

  it('refuses with TIMETABLE_CLASH the second of two clashing sections in one cart', async () => {
    const f = await createEnrollmentFixture(db);
    const a = await createSection(db, f, { capacity: 5, meetings: [[4, '14:00', '15:15']] });
    const b = await createSection(db, f, { capacity: 5, meetings: [[4, '15:00', '16:00']] });
    const userId = await student();
    const v = await enroll(f, userId, [a.sectionId, b.sectionId]);
    expect(v.outcome?.code).to.equal('PARTIALLY_ENROLLED');
    expect(itemCodes(v)).to.deep.equal(['ENROLLED', 'TIMETABLE_CLASH']);
    expect(await enrollmentsOf(userId)).to.deep.equal([a.sectionId]);
  });

  it('enrolls up to exactly the credit limit and refuses CREDIT_LIMIT_EXCEEDED beyond it', async () => {
    const f = await createEnrollmentFixture(db);
    const meet = (day: number): [number, string, string][] => [[day, '08:00', '08:50']];
    const four = await createSection(db, f, { capacity: 5, credits: 4, meetings: meet(1) });
    const three = await createSection(db, f, { capacity: 5, credits: 3, meetings: meet(2) });
    const one = await createSection(db, f, { capacity: 5, credits: 1, meetings: meet(3) });
    const userId = await student({ creditLimit: 7 });
    expectEnrolled(await enroll(f, userId, [four.sectionId, three.sectionId]));
    const over = await enroll(f, userId, [one.sectionId]);
    expectRejected(over, 'CREDIT_LIMIT_EXCEEDED');
    expect(over.outcome?.message).to.contain('8').and.to.contain('7');
    expect(await enrollmentsOf(userId)).to.deep.equal([four.sectionId, three.sectionId]);
    await expectSectionCountsMatchRows(db, [four.sectionId, three.sectionId, one.sectionId]);
  });

  it('enrolls what it can of a cart (PARTIALLY_ENROLLED) and keeps every count equal to its rows', async () => {
    const f = await createEnrollmentFixture(db);
    const meet = (day: number): [number, string, string][] => [[day, '11:00', '11:50']];
    const ok1 = await createSection(db, f, { capacity: 3, meetings: meet(1) });
    const full = await createSection(db, f, { capacity: 1, meetings: meet(2) });
    const ok2 = await createSection(db, f, { capacity: 3, meetings: meet(3) });
    const [taker, userId] = (await createStudents(db, 2)) as [number, number];
    expectEnrolled(await enroll(f, taker, [full.sectionId]));

    const v = await enroll(f, userId, [ok1.sectionId, full.sectionId, ok2.sectionId]);
    expect(v.status).to.equal('committed');
    expect(v.outcome?.code).to.equal('PARTIALLY_ENROLLED');
    const items = v.outcome?.details?.items ?? [];
    expect(items.map((i) => [i.sectionId, i.status, i.code])).to.deep.equal([
      [ok1.sectionId, 'committed', 'ENROLLED'],
      [full.sectionId, 'rejected', 'SECTION_FULL'],
      [ok2.sectionId, 'committed', 'ENROLLED'],
    ]);

    const rows = await db('enrollments')
      .where({ user_id: userId })
      .orderBy('id')
      .select<{ id: number; section_id: number; request_id: number }[]>('id', 'section_id', 'request_id');
    expect(rows.map((r) => r.section_id)).to.deep.equal([ok1.sectionId, ok2.sectionId]);
    expect(rows.every((r) => r.request_id === v.id)).to.equal(true);
    // Each granted item names its enrollment row.
    expect(items.filter((i) => i.status === 'committed').map((i) => i.enrollmentId)).to.deep.equal(
      rows.map((r) => r.id),
    );
    await expectSectionCountsMatchRows(db, [ok1.sectionId, full.sectionId, ok2.sectionId]);
    const counts = await db('sections')
      .whereIn('id', [ok1.sectionId, full.sectionId, ok2.sectionId])
      .orderBy('id')
      .pluck<number[]>('enrolled');
    expect(counts).to.deep.equal([1, 1, 1]);

    const listed = await request(api.url).get('/api/enrollments').set(as(userId));
    expect(listed.status).to.equal(200);
    expect(listed.body.enrollments.map((e: { sectionId: number }) => e.sectionId)).to.deep.equal([
      ok1.sectionId,
      ok2.sectionId,
    ]);
  });

  it('drops an enrollment: frees the seat, removes the row and audits the drop', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 1 });
    const [userId, next] = (await createStudents(db, 2)) as [number, number];
    const v = await enroll(f, userId, [sectionId]);
    expectEnrolled(v);
    const enrollmentId = v.outcome?.details?.items?.[0]?.enrollmentId as number;
    expect(enrollmentId).to.be.a('number');
    expect(
      await countRows(db, 'audit_log', {
        entity: 'enrollment',
        entity_id: String(enrollmentId),
        action: 'enroll',
      }),
    ).to.equal(1);

    const res = await request(api.url).delete(`/api/enrollments/${enrollmentId}`).set(as(userId));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.equal({ dropped: enrollmentId, sectionId });

    expect(await countRows(db, 'enrollments', { id: enrollmentId })).to.equal(0);
    const section = await db('sections').where({ id: sectionId }).first<{ enrolled: number }>('enrolled');
    expect(section?.enrolled).to.equal(0);
    const audit = await db('audit_log')
      .where({ entity: 'enrollment', entity_id: String(enrollmentId), action: 'drop' })
      .select<{ actor_user_id: number }[]>('actor_user_id');
    expect(audit.map((a) => a.actor_user_id)).to.deep.equal([userId]);

    // Dropping it again finds nothing, and the freed seat goes to the next student.
    const again = await request(api.url).delete(`/api/enrollments/${enrollmentId}`).set(as(userId));
    expect(again.status).to.equal(404);
    expectEnrolled(await enroll(f, next, [sectionId]));
    await expectSectionCountsMatchRows(db, [sectionId]);
  });

  it("answers 404 to dropping someone else's enrollment and leaves it in place", async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const [owner, intruder] = (await createStudents(db, 2)) as [number, number];
    const v = await enroll(f, owner, [sectionId]);
    const enrollmentId = v.outcome?.details?.items?.[0]?.enrollmentId as number;

    const res = await request(api.url).delete(`/api/enrollments/${enrollmentId}`).set(as(intruder));
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('ENROLLMENT_NOT_FOUND');
    expect(await countRows(db, 'enrollments', { id: enrollmentId })).to.equal(1);
    expect(await countRows(db, 'audit_log', { entity_id: String(enrollmentId), action: 'drop' })).to.equal(0);
    await expectSectionCountsMatchRows(db, [sectionId]);
    const section = await db('sections').where({ id: sectionId }).first<{ enrolled: number }>('enrolled');
    expect(section?.enrolled).to.equal(1);
  });

  it('frees the seat once when the same drop arrives twice at once (two tabs)', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 3 });
    const [userId, other] = (await createStudents(db, 2)) as [number, number];
    expectEnrolled(await enroll(f, other, [sectionId]));
    const v = await enroll(f, userId, [sectionId]);
    const enrollmentId = v.outcome?.details?.items?.[0]?.enrollmentId as number;

    const drops = await Promise.all(
      [1, 2].map(() => request(api.url).delete(`/api/enrollments/${enrollmentId}`).set(as(userId))),
    );
    expect(drops.map((r) => r.status).sort()).to.deep.equal([200, 404]);
    const section = await db('sections').where({ id: sectionId }).first<{ enrolled: number }>('enrolled');
    expect(section?.enrolled).to.equal(1);
    await expectSectionCountsMatchRows(db, [sectionId]);
    expect(await countRows(db, 'audit_log', { entity_id: String(enrollmentId), action: 'drop' })).to.equal(1);
  });

  /**
   * Commits each request in its own transaction, concurrently (two worker processes, or two rooms of one
   * term), while the test holds the student's row lock: both batches lock their requests and sections and
   * read the catalog, then queue for the student's lock, as they do when one student's two tabs submit at
   * once. The lock is released once both are waiting.
   */
  async function commitConcurrentlyForOneStudent(userId: number, requestIds: number[]) {
    const hold = await db.transaction();
    try {
      await hold('users').where({ id: userId }).forUpdate().first('id');
      const commits = requestIds.map((id) => committer.commit([id]));
      const deadline = Date.now() + 5_000;
      for (;;) {
        const [rows] = (await db.raw(
          `SELECT COUNT(*) AS n FROM information_schema.innodb_trx t
             JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
            WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()`,
        )) as [{ n: number | string }[]];
        if (Number(rows[0]?.n) >= requestIds.length) break;
        if (Date.now() > deadline) throw new Error('the commits never queued for the student lock');
        // InnoDB refreshes what information_schema.innodb_trx shows at most every 100 ms after a read.
        await new Promise((r) => setTimeout(r, 150));
      }
      await hold.commit();
      return (await Promise.all(commits)).flat();
    } finally {
      if (!hold.isCompleted()) await hold.rollback();
    }
  }

  it("does not let a student's two concurrent requests both pass the timetable check", async () => {
    const f = await createEnrollmentFixture(db);
    const a = await createSection(db, f, { capacity: 5, meetings: [[1, '09:00', '10:15']] });
    const b = await createSection(db, f, { capacity: 5, meetings: [[1, '10:00', '11:00']] });
    const userId = await student();
    const ids = [await submit(f, userId, [a.sectionId]), await submit(f, userId, [b.sectionId])];

    const results = await commitConcurrentlyForOneStudent(userId, ids);
    expect(results.map((r) => r.kind)).to.deep.equal(['decided', 'decided']);
    const codes = await Promise.all(ids.map(async (id) => (await view(userId, id)).outcome?.code));
    expect(codes.sort(), 'the second must see the first in the timetable').to.deep.equal([
      'ENROLLED',
      'TIMETABLE_CLASH',
    ]);
    expect(await enrollmentsOf(userId)).to.have.length(1);
  });

  it("does not let a student's two concurrent requests both pass the credit limit", async () => {
    const f = await createEnrollmentFixture(db);
    const a = await createSection(db, f, { capacity: 5, credits: 3, meetings: [[1, '09:00', '09:50']] });
    const b = await createSection(db, f, { capacity: 5, credits: 3, meetings: [[2, '09:00', '09:50']] });
    const userId = await student({ creditLimit: 4 });
    const ids = [await submit(f, userId, [a.sectionId]), await submit(f, userId, [b.sectionId])];

    await commitConcurrentlyForOneStudent(userId, ids);
    const codes = await Promise.all(ids.map(async (id) => (await view(userId, id)).outcome?.code));
    expect(codes.sort(), 'the second must count the first against the limit').to.deep.equal([
      'CREDIT_LIMIT_EXCEEDED',
      'ENROLLED',
    ]);
    expect(await enrollmentsOf(userId)).to.have.length(1);
  });

  it('commits exactly once when the same job is delivered twice, reporting the stored outcome', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const userId = await student();
    const requestId = await submit(f, userId, [sectionId]);

    const [first] = await commitJobs([requestId]);
    const [second] = await commitJobs([requestId]);
    expect(first?.kind).to.equal('decided');
    expect(second?.kind).to.equal('already');
    if (second?.kind !== 'already') throw new Error('unreachable');
    expect(second.row.id).to.equal(requestId);
    expect(second.row.status).to.equal('committed');
    expect(second.row.outcome_code).to.equal('ENROLLED');

    expect(await enrollmentsOf(userId)).to.deep.equal([sectionId]);
    await expectSectionCountsMatchRows(db, [sectionId]);
    expect(await countRows(db, 'audit_log', { request_id: requestId, action: 'enroll' })).to.equal(1);
    const row = await db('requests').where({ id: requestId }).first<{ attempts: number }>('attempts');
    expect(row?.attempts).to.equal(1);
    expectEnrolled(await view(userId, requestId));
  });

  it('commits exactly once when two workers take the same request at the same moment', async () => {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 5 });
    const userId = await student();
    const requestId = await submit(f, userId, [sectionId]);

    const results = (await Promise.all([commitJobs([requestId]), commitJobs([requestId])])).flat();
    expect(results.map((r) => r.kind).sort()).to.deep.equal(['already', 'decided']);
    expect(await enrollmentsOf(userId)).to.deep.equal([sectionId]);
    await expectSectionCountsMatchRows(db, [sectionId]);
    expect(await countRows(db, 'audit_log', { request_id: requestId, action: 'enroll' })).to.equal(1);
  });
});
