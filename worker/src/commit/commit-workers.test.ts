import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { COMMIT_JOB_OPTIONS, CommitQueues } from '../../../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { newCommitJobId } from '../../../core/requests/request-types.js';
import { createEnrollmentFixture, createStudents } from '../../../test/support/catalog-fixture.js';
import { rowsOnlyReservationCommitter } from '../../../test/support/committers.js';
import { forgetRooms } from '../../../test/support/room-cleanup.js';
import { eventually } from '../../../test/support/event-fixture.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { commitEnrollmentBatch } from '../enrollments/enrollment-committer.js';
import { CommitWorkers } from './commit-workers.js';
import { OutcomeReporter } from './outcome-reporter.js';
import { RequestCommitter, type BatchCommit } from './request-committer.js';

/**
 * CommitWorkers.onFailed: a commit job that fails for good (out of attempts, or unrecoverable) ends its
 * requests `failed` with the reason, and their owners are told; one with attempts left leaves them queued
 * for the retry.
 */
describe('CommitWorkers: a job that fails', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let connection: Redis;
  let queues: CommitQueues;
  let workers: CommitWorkers | undefined;
  /** Requests whose batches this test's committer fails; any other request is committed as usual. */
  const doomed = new Map<number, Error>();
  const rooms: number[] = [];

  /** Fails a batch holding a doomed request; commits any other (other tests' jobs this worker may take). */
  const failing =
    (real: BatchCommit): BatchCommit =>
    (trx, ids, now) => {
      const err = ids.map((id) => doomed.get(id)).find((e) => e !== undefined);
      return err ? Promise.reject(err) : real(trx, ids, now);
    };

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    connection = createRedis(cfg, 'blocking');
    await Promise.all([waitForRedis(redis), waitForRedis(connection)]);
    queues = new CommitQueues(redis, cfg.redis.prefix);
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
    doomed.clear();
    await forgetRooms(db, queues, rooms.splice(0));
  });
  after(async () => {
    await queues.close();
    await db.destroy();
    redis.disconnect();
    connection.disconnect();
  });

  /** A room, queued enrollment requests in it (one per student), and their job with `attempts`. */
  async function queuedJob(count: number, attempts: number, fail: Error) {
    const f = await createEnrollmentFixture(db);
    rooms.push(f.roomId);
    const users = await createStudents(db, count);
    const jobId = newCommitJobId();
    const ids: number[] = [];
    for (const [i, userId] of users.entries()) {
      const [id] = await db('requests').insert({
        user_id: userId,
        room_id: f.roomId,
        idempotency_key: `fails-${randomUUID()}`,
        kind: 'enrollment',
        payload: JSON.stringify({ sectionIds: [1] }),
        queue_number: i + 1,
        commit_job_id: jobId,
      });
      ids.push(Number(id));
      doomed.set(Number(id), fail);
    }
    // A long backoff: a job with attempts left stays delayed for the rest of the test.
    const job = await queues
      .queue(f.roomId)
      .add(
        'commit',
        { requestIds: ids },
        { ...COMMIT_JOB_OPTIONS, attempts, backoff: { type: 'fixed', delay: 600_000 }, jobId },
      );
    return { ids, users, job };
  }

  async function startWorkers(): Promise<CommitWorkers> {
    const committer = new RequestCommitter(db, testLogger, {
      enrollment: failing(commitEnrollmentBatch),
      reservation: failing(rowsOnlyReservationCommitter()),
    });
    workers = new CommitWorkers(
      {
        db,
        connection,
        prefix: cfg.redis.prefix,
        committer,
        reporter: new OutcomeReporter(redis, cfg.redis.prefix),
        logger: testLogger,
      },
      { concurrency: 4, batchMax: 50, batchesInFlight: 2, lockDurationMs: 30_000, roomScanMs: 60_000 },
    );
    await workers.start();
    return workers;
  }

  const rowsOf = (ids: number[]) =>
    db('requests')
      .whereIn('id', ids)
      .orderBy('id')
      .select<{ status: string; outcome_code: string | null; outcome_message: string | null }[]>(
        'status',
        'outcome_code',
        'outcome_message',
      );

  it('ends the requests of a job out of attempts as failed, with the reason, and notifies their owners', async () => {
    const { ids, users, job } = await queuedJob(3, 1, new Error('MySQL said no'));
    const w = await startWorkers();
    await eventually(
      async () => ((await job.getState()) === 'failed' ? true : undefined),
      20_000,
      'job failed',
    );
    const rows = await eventually(
      async () => {
        const r = await rowsOf(ids);
        return r.every((x) => x.status === 'failed') ? r : undefined;
      },
      10_000,
      'requests failed',
    );
    for (const r of rows) {
      expect(r).to.deep.equal({
        status: 'failed',
        outcome_code: 'COMMIT_FAILED',
        outcome_message: 'Could not be processed: MySQL said no',
      });
    }
    const codes = await db('notifications').whereIn('user_id', users).pluck<string[]>('code');
    expect(codes).to.deep.equal(['COMMIT_FAILED', 'COMMIT_FAILED', 'COMMIT_FAILED']);
    expect(w.getStats().failed).to.equal(3);
  });

  it('ends them at once when the error is unrecoverable, attempts left or not', async () => {
    const { ids, job } = await queuedJob(2, 5, new UnrecoverableError('cannot be retried'));
    const w = await startWorkers();
    await eventually(
      async () => ((await job.getState()) === 'failed' ? true : undefined),
      20_000,
      'job failed',
    );
    await eventually(
      async () => ((await rowsOf(ids)).every((x) => x.status === 'failed') ? true : undefined),
      10_000,
      'requests failed',
    );
    expect((await rowsOf(ids)).map((r) => r.outcome_message)).to.deep.equal([
      'Could not be processed: cannot be retried',
      'Could not be processed: cannot be retried',
    ]);
    expect(w.getStats().failed).to.equal(2);
  });

  it('leaves the requests queued while the job has attempts left', async () => {
    const { ids, job } = await queuedJob(2, 3, new Error('a blip'));
    const w = await startWorkers();
    // Failed once, now waiting out its backoff.
    await eventually(
      async () => ((await job.getState()) === 'delayed' ? true : undefined),
      20_000,
      'job retried',
    );
    expect((await rowsOf(ids)).map((r) => r.status)).to.deep.equal(['queued', 'queued']);
    expect(w.getStats().failed).to.equal(0);
  });
});
