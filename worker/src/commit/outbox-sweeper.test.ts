import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { CommitQueues, commitQueueName } from '../../../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { redisKeys } from '../../../core/redis-keys.js';
import type { RequestRow } from '../../../core/requests/request-store.js';
import { newCommitJobId, type CommitJobData } from '../../../core/requests/request-types.js';
import { createEnrollmentFixture, createStudents } from '../../../test/support/catalog-fixture.js';
import { jobsInRoomQueue } from '../../../test/support/enrollment-submissions.js';
import { forgetRooms } from '../../../test/support/room-cleanup.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { UserUpdates } from '../../../test/support/user-updates.js';
import { OutboxSweeper } from './outbox-sweeper.js';
import { OutcomeReporter } from './outcome-reporter.js';

const DAY_MS = 86_400_000;
/**
 * The sweeper looks at every queued row of the database, and other tests leave theirs behind: rows that
 * stand for a lost job are recorded a month ago, beyond a grace of four weeks that nothing else reaches.
 */
const GRACE_MS = 28 * DAY_MS;
const STALE = () => new Date(Date.now() - 30 * DAY_MS);

describe('OutboxSweeper: requests still queued after the grace, checked against the job they name', function () {
  this.timeout(20_000);
  const cfg = testConfig();
  const keys = redisKeys(cfg.redis.prefix);
  let db: Knex;
  let redis: Redis;
  let queues: CommitQueues;
  let sweeper: OutboxSweeper;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    queues = new CommitQueues(redis, cfg.redis.prefix);
    const reporter = new OutcomeReporter(redis, cfg.redis.prefix);
    sweeper = new OutboxSweeper(db, queues, reporter, testLogger, { everyMs: 60_000, graceMs: GRACE_MS });
  });
  // Nothing of a test may outlive it: a worker process of a later test scans every room's queue and
  // would commit these rows (their payload names section 1, which may be that test's section).
  const rooms: number[] = [];
  afterEach(async () => {
    await forgetRooms(db, queues, rooms.splice(0));
  });
  after(async () => {
    await queues.close();
    await db.destroy();
    redis.disconnect();
  });

  let seq = 0;
  /** Request rows as the api records them, written directly: one per user, all naming `jobId`. */
  async function recordRows(
    roomId: number,
    jobId: string,
    users: number[],
    opts: { createdAt?: Date; decided?: Partial<RequestRow> } = {},
  ): Promise<number[]> {
    const ids: number[] = [];
    for (const userId of users) {
      seq++;
      const [id] = await db('requests').insert({
        user_id: userId,
        room_id: roomId,
        idempotency_key: `outbox-${seq}-${userId}`,
        kind: 'enrollment',
        payload: JSON.stringify({ sectionIds: [1] }),
        queue_number: seq,
        commit_job_id: jobId,
        created_at: opts.createdAt ?? STALE(),
        ...opts.decided,
      });
      ids.push(id!);
    }
    return ids;
  }

  const rowsById = async (ids: number[]) =>
    db<RequestRow>('requests').whereIn('id', ids).orderBy('id').select();

  const jobOf = async (roomId: number, jobId: string) =>
    (await queues.queue(roomId).getJob(jobId)) as Job<CommitJobData> | undefined;

  /** Writes the job, then lets a worker fail it for good (UnrecoverableError: no retries). */
  async function jobFailedForGood(roomId: number, jobId: string, ids: number[], reason: string) {
    await queues.enqueue(roomId, jobId, ids);
    const connection = createRedis(cfg, 'blocking');
    const worker = new Worker<CommitJobData>(
      commitQueueName(roomId),
      () => Promise.reject(new UnrecoverableError(reason)),
      { connection, prefix: keys.commitQueuePrefix(roomId) },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        worker.on('failed', (job) => job?.id === jobId && resolve());
        worker.on('error', reject);
      });
    } finally {
      await worker.close();
      connection.disconnect();
    }
    expect(await (await jobOf(roomId, jobId))?.isFailed(), `job ${jobId} failed`).to.equal(true);
  }

  async function world(users: number) {
    const f = await createEnrollmentFixture(db);
    rooms.push(f.roomId);
    return { roomId: f.roomId, users: await createStudents(db, users) };
  }

  it('writes the missing job of stale rows with the id they name, once', async () => {
    const { roomId, users } = await world(3);
    const jobId = newCommitJobId();
    const ids = await recordRows(roomId, jobId, users);

    await sweeper.sweep();
    const job = await jobOf(roomId, jobId);
    expect(job, 'the job the rows name').to.not.equal(undefined);
    expect(job!.data).to.deep.equal({ requestIds: ids });
    expect(await jobsInRoomQueue(queues, roomId)).to.equal(1);

    await sweeper.sweep();
    expect(await jobsInRoomQueue(queues, roomId), 'jobs after a second sweep').to.equal(1);
    expect((await jobOf(roomId, jobId))!.data).to.deep.equal({ requestIds: ids });
    expect((await rowsById(ids)).map((r) => r.status)).to.deep.equal(['queued', 'queued', 'queued']);
  });

  it('leaves rows younger than the grace alone', async () => {
    const { roomId, users } = await world(3);
    const young = newCommitJobId();
    const youngIds = await recordRows(roomId, young, users.slice(0, 2), {
      createdAt: new Date(Date.now() - GRACE_MS + DAY_MS),
    });
    // A stale row in the same room shows the sweep did run over it.
    const stale = newCommitJobId();
    await recordRows(roomId, stale, users.slice(2));

    await sweeper.sweep();
    expect(await jobOf(roomId, young), 'job of the young rows').to.equal(undefined);
    expect(await jobOf(roomId, stale), 'job of the stale row').to.not.equal(undefined);
    expect(await jobsInRoomQueue(queues, roomId)).to.equal(1);
    expect((await rowsById(youngIds)).map((r) => r.status)).to.deep.equal(['queued', 'queued']);
  });

  it('marks the queued rows of a job that failed for good COMMIT_FAILED and tells their owners', async () => {
    const { roomId, users } = await world(3);
    const [decidedUser, u1, u2] = users as [number, number, number];
    const jobId = newCommitJobId();
    // Decided before the job failed for good (a committer wrote it): its row and its owner are left alone.
    const [decidedId] = await recordRows(roomId, jobId, [decidedUser], {
      decided: {
        status: 'committed',
        outcome_code: 'ENROLLED',
        outcome_message: 'Enrolled',
        completed_at: STALE(),
      },
    });
    const queuedIds = await recordRows(roomId, jobId, [u1, u2]);
    await jobFailedForGood(roomId, jobId, [decidedId!, ...queuedIds], 'MySQL is away');
    const decidedBefore = await rowsById([decidedId!]);
    // Each owner holds a place among the room's active users; an outcome does not free it (ADR 015).
    const active = keys.room(roomId, 'active');
    await redis.zadd(active, 1, String(decidedUser), 1, String(u1), 1, String(u2));

    const heard = await UserUpdates.listen(cfg, users);
    try {
      await sweeper.sweep();

      const failed = await rowsById(queuedIds);
      for (const row of failed) {
        expect(row, `row ${row.id}`).to.include({
          status: 'failed',
          outcome_code: 'COMMIT_FAILED',
          outcome_message: 'Could not be processed: MySQL is away',
        });
        expect(row.completed_at, `row ${row.id} completed_at`).to.be.instanceOf(Date);
      }
      expect(await rowsById([decidedId!])).to.deep.equal(decidedBefore);

      const updates = await heard.untilCount(2);
      expect(updates.map((u) => u.id)).to.deep.equal(queuedIds);
      for (const u of updates) {
        expect(u).to.include({ status: 'failed', roomId });
        expect(u.outcome).to.include({ code: 'COMMIT_FAILED' });
      }
      expect(await redis.zrange(active, '0', '-1'), 'still active').to.have.members(
        [decidedUser, u1, u2].map(String),
      );

      // Nothing left to do: a second sweep neither marks nor tells anyone again.
      await sweeper.sweep();
      expect(await rowsById(queuedIds)).to.deep.equal(failed);
      expect((await jobOf(roomId, jobId))!.data).to.deep.equal({ requestIds: [decidedId, ...queuedIds] });
    } finally {
      await heard.close();
    }
  });

  it('handles the rows of different jobs in one sweep each by their own job', async () => {
    const { roomId, users } = await world(5);
    const other = await world(1);
    const missing = newCommitJobId();
    const failedJob = newCommitJobId();
    const missingElsewhere = newCommitJobId();
    // Interleaved, as rows of concurrent groups are.
    const [a1] = await recordRows(roomId, missing, [users[0]!]);
    const [f1] = await recordRows(roomId, failedJob, [users[1]!]);
    const [b1] = await recordRows(other.roomId, missingElsewhere, other.users);
    const [a2] = await recordRows(roomId, missing, [users[2]!]);
    const [f2] = await recordRows(roomId, failedJob, [users[3]!]);
    const [a3] = await recordRows(roomId, missing, [users[4]!]);
    await jobFailedForGood(roomId, failedJob, [f1!, f2!], 'boom');

    await sweeper.sweep();

    expect((await jobOf(roomId, missing))?.data).to.deep.equal({ requestIds: [a1, a2, a3] });
    expect((await jobOf(other.roomId, missingElsewhere))?.data).to.deep.equal({ requestIds: [b1] });
    expect(await jobOf(roomId, missingElsewhere), 'a job in the wrong room').to.equal(undefined);
    const failedJobNow = await jobOf(roomId, failedJob);
    expect(await failedJobNow?.isFailed()).to.equal(true);
    expect(failedJobNow?.data).to.deep.equal({ requestIds: [f1, f2] });
    expect(await jobsInRoomQueue(queues, roomId)).to.equal(2);
    expect(await jobsInRoomQueue(queues, other.roomId)).to.equal(1);

    const rows = await rowsById([a1!, a2!, a3!, b1!, f1!, f2!]);
    const statusOf = new Map(rows.map((r) => [r.id, [r.status, r.outcome_code]]));
    expect([a1, a2, a3, b1].map((id) => statusOf.get(id!))).to.deep.equal(Array(4).fill(['queued', null]));
    expect([f1, f2].map((id) => statusOf.get(id!))).to.deep.equal(Array(2).fill(['failed', 'COMMIT_FAILED']));
  });
});
