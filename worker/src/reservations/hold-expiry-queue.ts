import { Queue } from 'bullmq';
import type { Redis } from '../../../core/redis.js';
import {
  HOLD_EXPIRY_QUEUE,
  holdExpiryJobId,
  RESERVATION_JOB_OPTIONS,
  type ReservationJobData,
} from '../../../core/queues.js';
import { redisKeys } from '../../../core/redis-keys.js';

export interface ScheduledHold {
  reservationId: number;
  holdExpiresAt: Date;
}

/** The producer side of `reservation-holds`: one delayed job per hold, due at its expiry. Opened on first use. */
export class HoldExpiryQueue {
  private queue: Queue<ReservationJobData> | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  get bull(): Queue<ReservationJobData> {
    return (this.queue ??= new Queue<ReservationJobData>(HOLD_EXPIRY_QUEUE, {
      connection: this.connection,
      prefix: redisKeys(this.prefix).queuePrefix(HOLD_EXPIRY_QUEUE),
    }));
  }

  /** Idempotent by job id (`expire-<reservationId>`): scheduling a hold twice leaves one job. */
  async schedule(holds: ScheduledHold[]): Promise<void> {
    if (holds.length === 0) return;
    const adding = this.add(holds);
    this.inFlight.add(adding);
    try {
      await adding;
    } finally {
      this.inFlight.delete(adding);
    }
  }

  private async add(holds: ScheduledHold[]): Promise<void> {
    const now = Date.now();
    await this.bull.addBulk(
      holds.map((h) => ({
        name: 'expire',
        data: { reservationId: h.reservationId },
        opts: {
          ...RESERVATION_JOB_OPTIONS,
          jobId: holdExpiryJobId(h.reservationId),
          delay: Math.max(0, h.holdExpiresAt.getTime() - now),
        },
      })),
    );
  }

  /** Lets schedules already started (for batches that just committed) finish, then closes. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.queue?.close();
    this.queue = undefined;
  }
}
