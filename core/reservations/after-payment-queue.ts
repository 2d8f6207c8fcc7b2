import { Queue } from 'bullmq';
import type { Redis } from '../redis.js';
import {
  AFTER_PAYMENT_QUEUE,
  afterPaymentJobId,
  RESERVATION_JOB_OPTIONS,
  type ReservationJobData,
} from '../queues.js';
import { redisKeys } from '../redis-keys.js';

/** Where a paid reservation goes for the work after payment (confirm, issue the ticket, notify). */
export interface AfterPaymentEnqueuer {
  enqueue(reservationId: number): Promise<void>;
}

/** The producer side of the `after-payment` queue; opened on first use. Idempotent by job id. */
export class AfterPaymentQueue implements AfterPaymentEnqueuer {
  private queue: Queue<ReservationJobData> | undefined;

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  /** Public for the worker's queue gauges (rushline_queue_jobs). */
  get bull(): Queue<ReservationJobData> {
    return (this.queue ??= new Queue<ReservationJobData>(AFTER_PAYMENT_QUEUE, {
      connection: this.connection,
      prefix: redisKeys(this.prefix).queuePrefix(AFTER_PAYMENT_QUEUE),
    }));
  }

  async enqueue(reservationId: number): Promise<void> {
    await this.bull.add(
      'confirm',
      { reservationId },
      { ...RESERVATION_JOB_OPTIONS, jobId: afterPaymentJobId(reservationId) },
    );
  }

  /**
   * For the sweep, about a reservation still `paid` a while after its payment: enqueue its job if it has
   * none (the enqueue after the commit was lost), or run it again if it failed for good.
   */
  async ensure(reservationId: number): Promise<'enqueued' | 'retried' | 'present'> {
    const job = await this.bull.getJob(afterPaymentJobId(reservationId));
    if (job && (await job.isFailed())) {
      await job.retry('failed');
      return 'retried';
    }
    if (job && !(await job.isCompleted())) return 'present';
    await job?.remove();
    await this.enqueue(reservationId);
    return 'enqueued';
  }

  async close(): Promise<void> {
    await this.queue?.close();
    this.queue = undefined;
  }
}
