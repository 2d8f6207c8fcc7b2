import { randomBytes } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { expect } from 'chai';
import { testConfig } from '../../test/support/test-config.js';
import { AFTER_PAYMENT_QUEUE, afterPaymentJobId, type ReservationJobData } from '../queues.js';
import { createRedis, waitForRedis, type Redis } from '../redis.js';
import { redisKeys } from '../redis-keys.js';
import { AfterPaymentQueue } from './after-payment-queue.js';

/**
 * AfterPaymentQueue.ensure, the sweep's second chance for a reservation still `paid`: it enqueues a
 * missing job, leaves a pending one, runs a failed one again and replaces a completed one. Its jobs live
 * under a prefix of this test's own (inside the run's), so no worker of another test takes them.
 */
describe('AfterPaymentQueue.ensure', function () {
  this.timeout(20_000);
  const cfg = testConfig();
  const prefix = `${cfg.redis.prefix}:apq-${randomBytes(3).toString('hex')}`;
  let redis: Redis;
  let queue: AfterPaymentQueue;
  /** Takes jobs by hand (no processor), so the test decides how each one ends. */
  let hand: Worker<ReservationJobData>;
  /** Reads the jobs as they stand. */
  let reader: Queue<ReservationJobData>;
  let reservationId = 1_000;

  before(async () => {
    redis = createRedis(cfg, 'blocking');
    await waitForRedis(redis);
    queue = new AfterPaymentQueue(redis, prefix);
    hand = new Worker<ReservationJobData>(AFTER_PAYMENT_QUEUE, null, {
      connection: redis,
      prefix: redisKeys(prefix).queuePrefix(AFTER_PAYMENT_QUEUE),
      autorun: false,
    });
    reader = new Queue<ReservationJobData>(AFTER_PAYMENT_QUEUE, {
      connection: redis,
      prefix: redisKeys(prefix).queuePrefix(AFTER_PAYMENT_QUEUE),
    });
  });
  after(async () => {
    await Promise.all([hand.close(), reader.close()]);
    await queue.close();
    redis.disconnect();
  });

  const jobOf = async (id: number): Promise<Job<ReservationJobData> | undefined> =>
    (await reader.getJob(afterPaymentJobId(id))) ?? undefined;
  /** Takes the next job (this test's only waiting one) and ends it as `end` says. */
  async function take(end: 'complete' | 'fail'): Promise<void> {
    const token = randomBytes(4).toString('hex');
    const job = (await hand.getNextJob(token)) as Job | undefined;
    if (!job) throw new Error('no job to take');
    if (end === 'complete') await job.moveToCompleted('confirmed', token, false);
    else await job.moveToFailed(new UnrecoverableError('confirm failed'), token, false);
  }

  it('enqueues the job of a reservation that has none', async () => {
    const id = ++reservationId;
    expect(await queue.ensure(id)).to.equal('enqueued');
    const job = await jobOf(id);
    expect(await job?.getState()).to.equal('waiting');
    await job?.remove();
  });

  it('leaves a job that is still waiting as it is', async () => {
    const id = ++reservationId;
    await queue.enqueue(id);
    const before = await jobOf(id);
    expect(await queue.ensure(id)).to.equal('present');
    const after = await jobOf(id);
    expect(after?.timestamp).to.equal(before?.timestamp);
    expect(await after?.getState()).to.equal('waiting');
    await after?.remove();
  });

  it('runs a job that failed for good again', async () => {
    const id = ++reservationId;
    await queue.enqueue(id);
    await take('fail');
    expect(await (await jobOf(id))?.getState()).to.equal('failed');
    expect(await queue.ensure(id)).to.equal('retried');
    expect(await (await jobOf(id))?.getState()).to.equal('waiting');
    await (await jobOf(id))?.remove();
  });

  it('replaces a completed job with a new one (the reservation is still paid, so it did not confirm)', async () => {
    const id = ++reservationId;
    await queue.enqueue(id);
    await take('complete');
    const done = await jobOf(id);
    expect(await done?.getState()).to.equal('completed');
    expect(await queue.ensure(id)).to.equal('enqueued');
    const fresh = await jobOf(id);
    expect(await fresh?.getState()).to.equal('waiting');
    expect(fresh?.returnvalue ?? null).to.equal(null);
    await fresh?.remove();
  });
});
