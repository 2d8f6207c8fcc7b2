import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisKeys } from './redis-keys.js';

/**
 * Queue names shared by producers (api) and consumers (worker). One commit queue per waiting room,
 * so one sale's burst never delays another's (isolation), and the waiting room can read each sale's
 * backlog for backpressure.
 */
export const commitQueueName = (roomId: number) => `commit-room-${roomId}`;

/** Reads commit-queue depths for the admission controller; queues are opened lazily and reused. */
export class CommitBacklog {
  private readonly queues = new Map<number, Queue>();
  private readonly prefix: string;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.prefix = redisKeys(prefix).bullPrefix;
  }

  async depth(roomId: number): Promise<number> {
    let queue = this.queues.get(roomId);
    if (!queue) {
      queue = new Queue(commitQueueName(roomId), { connection: this.connection, prefix: this.prefix });
      this.queues.set(roomId, queue);
    }
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
