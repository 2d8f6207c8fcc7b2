import { Queue } from 'bullmq';
import type { Redis } from './redis.js';
import { redisKeys, type RedisKeys } from './redis-keys.js';
import type { CommitJobData } from './requests/request-types.js';

/**
 * Queue names shared by producers (api) and consumers (worker). One commit queue per waiting room,
 * so one sale's burst never delays another's (isolation), and the waiting room can read each sale's
 * backlog for backpressure. A room's queue lives under the room's hash tag (`commitQueuePrefix`), so on
 * a Redis Cluster rooms' queues spread over the shards (ADR 023).
 */
export const commitQueueName = (roomId: number) => `commit-room-${roomId}`;

/** How commit jobs retry: a few times with backoff for what may pass (Redis or MySQL blips), never forever. */
export const COMMIT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  // Completed jobs are only kept briefly: the request row in MySQL is the record of what happened.
  removeOnComplete: { age: 3_600, count: 50_000 },
  removeOnFail: { age: 7 * 86_400 },
} as const;

/**
 * Commit queues as the api (enqueue) and the worker's outbox sweeper see them; opened lazily, one per
 * room. Enqueueing is idempotent by job id.
 */
export class CommitQueues {
  private readonly queues = new Map<number, Queue>();
  private readonly keys: RedisKeys;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  queue(roomId: number): Queue {
    let q = this.queues.get(roomId);
    if (!q) {
      q = new Queue(commitQueueName(roomId), {
        connection: this.connection,
        prefix: this.keys.commitQueuePrefix(roomId),
      });
      this.queues.set(roomId, q);
    }
    return q;
  }

  /** Idempotent by job id: a job already there (waiting, active or kept after completion) is left as it is. */
  async enqueue(roomId: number, jobId: string, requestIds: number[], reqIds?: string[]): Promise<void> {
    const data: CommitJobData = reqIds ? { requestIds, reqIds } : { requestIds };
    await this.queue(roomId).add('commit', data, {
      ...COMMIT_JOB_OPTIONS,
      jobId,
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

/**
 * Reservation jobs outside the per-room commit queues. `reservation-holds` holds one delayed job per
 * held reservation (jobId `expire-<id>`, due at `hold_expires_at`) that releases the seats if the hold
 * is still unpaid; `after-payment` confirms a paid reservation (jobId `confirm-<id>`) and tells its owner.
 * Both are safe to run twice: the job re-checks the reservation's status under its row lock.
 */
export const HOLD_EXPIRY_QUEUE = 'reservation-holds';
export const AFTER_PAYMENT_QUEUE = 'after-payment';

export interface ReservationJobData {
  reservationId: number;
}

export const holdExpiryJobId = (reservationId: number) => `expire-${reservationId}`;
export const afterPaymentJobId = (reservationId: number) => `confirm-${reservationId}`;

export const RESERVATION_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 3_600, count: 50_000 },
  removeOnFail: { age: 7 * 86_400 },
} as const;
