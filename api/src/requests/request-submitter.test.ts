import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'bullmq';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { ConflictError } from '../../../core/errors.js';
import { CommitQueues } from '../../../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { parseJson, type RequestRow } from '../../../core/requests/request-store.js';
import type { CommitJobData } from '../../../core/requests/request-types.js';
import {
  createEnrollmentFixture,
  createSection,
  createStudents,
} from '../../../test/support/catalog-fixture.js';
import { freshKey, jobsInRoomQueue } from '../../../test/support/enrollment-submissions.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { RequestSubmitter, type Submission } from './request-submitter.js';

describe('RequestSubmitter: one INSERT and one commit job per group of concurrent submissions', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let submitter: RequestSubmitter;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    submitter = new RequestSubmitter(db, queues, testLogger);
  });
  after(async () => {
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  /** A fresh room (so its queue holds only this test's jobs), a section in it and `n` students. */
  async function world(n: number) {
    const f = await createEnrollmentFixture(db);
    const { sectionId } = await createSection(db, f, { capacity: 10 });
    const { sectionId: otherSectionId } = await createSection(db, f, { capacity: 10 });
    const users = await createStudents(db, n);
    return { roomId: f.roomId, sectionId, otherSectionId, users };
  }

  let queueNumber = 0;
  const submission = (userId: number, roomId: number, sectionId: number, key = freshKey()): Submission => ({
    userId,
    roomId,
    kind: 'enrollment',
    queueNumber: ++queueNumber,
    idempotencyKey: key,
    payload: { sectionIds: [sectionId] },
  });

  const rowsOfRoom = (roomId: number) =>
    db<RequestRow>('requests').where({ room_id: roomId }).orderBy('id').select();

  /** Every job of the room's queue, whatever its state. */
  const jobsOfRoom = async (roomId: number) =>
    (await queues.queue(roomId).getJobs()) as unknown as Job<CommitJobData>[];

  /**
   * The outbox invariant between a room's rows and its jobs: every job carries exactly the ids of the rows
   * that name it, and every row is carried by exactly one job.
   */
  async function expectJobsMatchRows(roomId: number): Promise<Job<CommitJobData>[]> {
    const rows = await rowsOfRoom(roomId);
    const jobs = await jobsOfRoom(roomId);
    const carried: number[] = [];
    for (const job of jobs) {
      const named = rows.filter((r) => r.commit_job_id === job.id).map((r) => r.id);
      expect(
        [...job.data.requestIds].sort((a, b) => a - b),
        `job ${job.id}`,
      ).to.deep.equal(named);
      carried.push(...job.data.requestIds);
    }
    expect(
      [...carried].sort((a, b) => a - b),
      'ids carried by jobs',
    ).to.deep.equal(rows.map((r) => r.id));
    return jobs;
  }

  it('records 300 concurrent submissions to one room in fewer than 300 jobs, each row in exactly one', async () => {
    const { roomId, sectionId, users } = await world(300);
    const subs = users.map((u) => submission(u, roomId, sectionId));
    // In waves, so later submissions arrive while a group is being written and form the next group.
    const answers = await Promise.all(
      subs.map(async (s, i) => {
        await sleep(Math.floor(i / 60) * 2);
        return submitter.submit(s);
      }),
    );

    const rows = await rowsOfRoom(roomId);
    expect(rows).to.have.length(300);
    expect(rows.every((r) => r.status === 'queued')).to.equal(true);
    // Each caller is answered with its own row: the ids of a multi-row INSERT are matched back correctly.
    const byKey = new Map(rows.map((r) => [`${r.user_id}:${r.idempotency_key}`, r]));
    answers.forEach((a, i) => {
      const s = subs[i]!;
      const row = byKey.get(`${s.userId}:${s.idempotencyKey}`);
      expect(a.created, `submission ${i}`).to.equal(true);
      expect(a.request.id, `submission ${i}`).to.equal(row?.id);
      expect(a.request).to.include({ status: 'queued', roomId, kind: 'enrollment' });
    });

    const jobs = await expectJobsMatchRows(roomId);
    expect(jobs.length).to.be.within(1, 299);
    expect(new Set(rows.map((r) => r.commit_job_id)).size).to.equal(jobs.length);
  });

  it('records a lone submission as one row and one job carrying only its id', async () => {
    const { roomId, sectionId, users } = await world(1);
    const { created, request } = await submitter.submit(submission(users[0]!, roomId, sectionId));
    expect(created).to.equal(true);

    const rows = await rowsOfRoom(roomId);
    expect(rows.map((r) => r.id)).to.deep.equal([request.id]);
    expect(rows[0]!.commit_job_id).to.match(/^c-/);
    const jobs = await jobsOfRoom(roomId);
    expect(jobs.map((j) => j.id)).to.deep.equal([rows[0]!.commit_job_id]);
    expect(jobs[0]!.data).to.deep.equal({ requestIds: [request.id] });
  });

  it('with a group spacing, gathers submissions arriving one by one after a group into one row group and one job', async () => {
    const { roomId, sectionId, users } = await world(3);
    // Far longer than the test's own steps, so only the spacing can hold the second and third together.
    const spaced = new RequestSubmitter(db, queues, testLogger, 2_000);
    const [a, b, c] = users as [number, number, number];
    await spaced.submit(submission(a, roomId, sectionId));
    const second = spaced.submit(submission(b, roomId, sectionId));
    await sleep(50);
    const third = spaced.submit(submission(c, roomId, sectionId));
    const [rb, rc] = await Promise.all([second, third]);

    const rows = await rowsOfRoom(roomId);
    expect(rows.map((r) => r.id)).to.deep.equal([rows[0]!.id, rb.request.id, rc.request.id]);
    // The first went out at once, alone; the two that came 50 ms apart shared one INSERT and one job.
    expect(rows[1]!.commit_job_id).to.equal(rows[2]!.commit_job_id);
    expect(rows[0]!.commit_job_id).to.not.equal(rows[1]!.commit_job_id);
    const jobs = await expectJobsMatchRows(roomId);
    expect(jobs).to.have.length(2);
  });

  it('answers a key already recorded with its first row and still records the rest of its group', async () => {
    const { roomId, sectionId, users } = await world(20);
    const [first, ...others] = users as [number, ...number[]];
    const key = freshKey();
    const original = await submitter.submit(submission(first, roomId, sectionId, key));
    expect(original.created).to.equal(true);

    // Submitted in one go, so they form one group whose INSERT the duplicate key breaks.
    const retry = submission(first, roomId, sectionId, key);
    const group = others.map((u) => submission(u, roomId, sectionId));
    group.splice(7, 0, retry);
    const answers = await Promise.all(group.map((s) => submitter.submit(s)));

    const retried = answers[7]!;
    expect(retried.created).to.equal(false);
    expect(retried.request).to.deep.equal(original.request);
    const fresh = answers.filter((_, i) => i !== 7);
    expect(fresh.every((a) => a.created)).to.equal(true);

    const rows = await rowsOfRoom(roomId);
    expect(rows).to.have.length(20);
    expect(rows.filter((r) => r.user_id === first).map((r) => r.id)).to.deep.equal([original.request.id]);
    expect(fresh.map((a) => a.request.id).sort((a, b) => a - b)).to.deep.equal(
      rows.filter((r) => r.user_id !== first).map((r) => r.id),
    );
    const jobs = await expectJobsMatchRows(roomId);
    const carryingFirst = jobs.filter((j) => j.data.requestIds.includes(original.request.id));
    expect(carryingFirst.map((j) => j.data.requestIds)).to.deep.equal([[original.request.id]]);
    // The retry did not break its group up: the others went out in one job.
    expect(jobs, 'jobs: the first one and the group').to.have.length(2);
  });

  it('records the same key twice in one group once, answering both with that row', async () => {
    const { roomId, sectionId, users } = await world(5);
    const [clicker, ...others] = users as [number, ...number[]];
    const key = freshKey();
    const group = others.map((u) => submission(u, roomId, sectionId));
    group.splice(1, 0, submission(clicker, roomId, sectionId, key));
    group.push(submission(clicker, roomId, sectionId, key));
    const answers = await Promise.all(group.map((s) => submitter.submit(s)));

    const [first, second] = [answers[1]!, answers[5]!];
    expect([first.created, second.created]).to.deep.equal([true, false]);
    expect(second.request.id).to.equal(first.request.id);
    const rows = await rowsOfRoom(roomId);
    expect(rows).to.have.length(5);
    expect(rows.filter((r) => r.user_id === clicker).map((r) => r.id)).to.deep.equal([first.request.id]);
    await expectJobsMatchRows(roomId);
  });

  it('fails only the submission MySQL refuses for another reason; the rest of its group is recorded', async () => {
    const { roomId, sectionId, users } = await world(6);
    // No such user: the row breaks its foreign key, which no retry of the INSERT can fix.
    const [maxId] = await db('users').max<{ id: number }[]>('id as id');
    const bad = submission(Number(maxId!.id) + 1_000, roomId, sectionId);
    const group = users.map((u) => submission(u, roomId, sectionId));
    group.splice(2, 0, bad);
    const settled = await Promise.allSettled(group.map((s) => submitter.submit(s)));

    expect(settled.map((r) => r.status)).to.deep.equal([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((settled[2] as PromiseRejectedResult).reason).to.include({ code: 'ER_NO_REFERENCED_ROW_2' });
    const rows = await rowsOfRoom(roomId);
    expect(rows.map((r) => r.user_id).sort((a, b) => a - b)).to.deep.equal(users);
    await expectJobsMatchRows(roomId);
  });

  it('refuses a key reused for another payload with IDEMPOTENCY_KEY_REUSED, and records the rest of its group', async () => {
    const { roomId, sectionId, otherSectionId, users } = await world(12);
    const [first, ...others] = users as [number, ...number[]];
    const key = freshKey();
    const original = await submitter.submit(submission(first, roomId, sectionId, key));

    const reuse = submission(first, roomId, otherSectionId, key);
    const group = others.map((u) => submission(u, roomId, sectionId));
    group.splice(4, 0, reuse);
    const settled = await Promise.allSettled(group.map((s) => submitter.submit(s)));

    const refused = settled[4]!;
    expect(refused.status).to.equal('rejected');
    const err = (refused as PromiseRejectedResult).reason as unknown;
    expect(err).to.be.instanceOf(ConflictError);
    expect(err).to.include({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((err as ConflictError).details).to.deep.equal({ requestId: original.request.id });

    const rest = settled.filter((_, i) => i !== 4);
    expect(rest.map((r) => r.status)).to.deep.equal(Array(11).fill('fulfilled'));
    const rows = await rowsOfRoom(roomId);
    expect(rows).to.have.length(12);
    const mine = rows.filter((r) => r.user_id === first);
    expect(mine.map((r) => r.id)).to.deep.equal([original.request.id]);
    expect(parseJson(mine[0]!.payload), 'the first payload is kept').to.deep.equal({
      sectionIds: [sectionId],
    });
    await expectJobsMatchRows(roomId);
  });

  it('still answers and keeps the rows, each naming its job, when Redis refuses the job', async () => {
    const { roomId, sectionId, users } = await world(6);
    // A connection of its own, closed once its queue is open: every write to it is refused at once.
    const deadRedis = createRedis(cfg);
    await waitForRedis(deadRedis);
    const deadQueues = new CommitQueues(deadRedis, cfg.redis.prefix);
    try {
      await deadQueues.queue(roomId).waitUntilReady();
      deadRedis.disconnect();
      const probe = await deadQueues.enqueue(roomId, 'c-probe', [1]).then(
        () => 'written',
        () => 'refused',
      );
      expect(probe, 'a job written through the closed connection').to.equal('refused');
    } catch (err) {
      await deadQueues.close();
      throw err;
    }
    const deadSubmitter = new RequestSubmitter(db, deadQueues, testLogger);
    try {
      const answers = await Promise.all(
        users.map((u) => deadSubmitter.submit(submission(u, roomId, sectionId))),
      );
      expect(answers.every((a) => a.created && a.request.status === 'queued')).to.equal(true);

      const rows = await rowsOfRoom(roomId);
      expect(rows.map((r) => r.id)).to.deep.equal(answers.map((a) => a.request.id).sort((a, b) => a - b));
      for (const row of rows) {
        expect(row.commit_job_id, `row ${row.id}`).to.match(/^c-/);
        expect(await queues.queue(roomId).getJob(row.commit_job_id), `job ${row.commit_job_id}`).to.equal(
          undefined,
        );
      }
      expect(await jobsInRoomQueue(queues, roomId)).to.equal(0);
    } finally {
      await deadQueues.close();
    }
  });

  // A retry must write its whole group's job: once a job with that id exists, the sweeper takes the
  // group as enqueued.
  it("writes the whole group's job when a retry finds its group's job missing", async () => {
    const { roomId, sectionId, users } = await world(3);
    const subs = users.map((u) => submission(u, roomId, sectionId));
    const deadRedis = createRedis(cfg);
    await waitForRedis(deadRedis);
    const deadQueues = new CommitQueues(deadRedis, cfg.redis.prefix);
    try {
      await deadQueues.queue(roomId).waitUntilReady();
      deadRedis.disconnect();
      const deadSubmitter = new RequestSubmitter(db, deadQueues, testLogger);
      await Promise.all(subs.map((s) => deadSubmitter.submit(s)));
    } finally {
      await deadQueues.close();
    }
    const rows = await rowsOfRoom(roomId);
    expect(new Set(rows.map((r) => r.commit_job_id)).size, 'one group').to.equal(1);
    expect(await jobsInRoomQueue(queues, roomId)).to.equal(0);

    // The first person retries (same key, same payload) once Redis is back.
    const retry = await submitter.submit({ ...subs[0]!, queueNumber: ++queueNumber });
    expect(retry.created).to.equal(false);
    await expectJobsMatchRows(roomId);
  });
});
