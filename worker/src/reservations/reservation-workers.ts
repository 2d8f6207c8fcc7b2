import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import { AFTER_PAYMENT_QUEUE, HOLD_EXPIRY_QUEUE, type ReservationJobData } from '../../../core/queues.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { confirmReservation } from './confirm-reservation.js';
import { expireHold } from './hold-expiry.js';
import type { ReservationNotifier } from './reservation-notifier.js';

export interface ReservationJobStats {
  expired: number;
  confirmed: number;
  noops: number;
}

/** Processes `reservation-holds` (release a lapsed hold) and `after-payment` (confirm and tell the owner). */
export async function processHoldExpiry(
  job: Job<ReservationJobData>,
  token: string | undefined,
  deps: { db: Knex; notifier: ReservationNotifier },
): Promise<string> {
  const result = await expireHold(deps.db, job.data.reservationId, new Date());
  if (result.kind === 'not-due') {
    // Ran early (clocks differ between machines): back to the delayed set until the hold is due.
    await job.moveToDelayed(result.dueAt.getTime(), token);
    throw new DelayedError();
  }
  if (result.kind === 'expired') await deps.notifier.notify(result.change);
  return result.kind;
}

export async function processAfterPayment(
  job: Job<ReservationJobData>,
  deps: { db: Knex; notifier: ReservationNotifier },
): Promise<string> {
  const result = await confirmReservation(deps.db, job.data.reservationId);
  if (result.kind === 'confirmed') await deps.notifier.notify(result.change);
  return result.kind;
}

/** One BullMQ worker per reservation queue; every worker process runs both. */
export class ReservationWorkers {
  private workers: Worker<ReservationJobData>[] = [];
  private closing: Promise<void> | undefined;
  readonly stats: ReservationJobStats = { expired: 0, confirmed: 0, noops: 0 };

  constructor(
    private readonly deps: {
      db: Knex;
      /** A connection with maxRetriesPerRequest null: BullMQ workers block on it. */
      connection: Redis;
      prefix: string;
      notifier: ReservationNotifier;
      logger: Logger;
    },
    private readonly opts: { concurrency: number },
  ) {}

  start(): void {
    const keys = redisKeys(this.deps.prefix);
    const common = { connection: this.deps.connection, concurrency: this.opts.concurrency };
    const holds = new Worker<ReservationJobData>(
      HOLD_EXPIRY_QUEUE,
      async (job, token) => this.count(await processHoldExpiry(job, token, this.deps)),
      { ...common, prefix: keys.queuePrefix(HOLD_EXPIRY_QUEUE) },
    );
    const afterPayment = new Worker<ReservationJobData>(
      AFTER_PAYMENT_QUEUE,
      async (job) => this.count(await processAfterPayment(job, this.deps)),
      { ...common, prefix: keys.queuePrefix(AFTER_PAYMENT_QUEUE) },
    );
    for (const w of [holds, afterPayment]) {
      w.on('error', (err) => this.deps.logger.error({ err, queue: w.name }, 'reservation worker error'));
      w.on('failed', (job, err) =>
        this.deps.logger.warn({ err, queue: w.name, jobId: job?.id }, 'reservation job failed'),
      );
    }
    this.workers = [holds, afterPayment];
  }

  /** Takes no new jobs, finishes the active ones, then closes. Safe to call twice. */
  close(): Promise<void> {
    return (this.closing ??= Promise.all(this.workers.map((w) => w.close())).then(() => undefined));
  }

  private count(kind: string): string {
    if (kind === 'expired') this.stats.expired++;
    else if (kind === 'confirmed') this.stats.confirmed++;
    else this.stats.noops++;
    return kind;
  }
}
