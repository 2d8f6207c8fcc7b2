import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import type { FleetClaim } from '../../../core/process/fleet-claim.js';
import { PeriodicTask } from '../../../core/process/periodic-task.js';
import type { CommitQueues } from '../../../core/queues.js';
import { failQueuedRequests } from './outcome-writer.js';
import type { OutcomeReporter } from './outcome-reporter.js';

/**
 * The other half of "neither the row nor the job can exist alone": requests still `queued` a while after
 * they were recorded are checked against the job their row names. No job (the api died between its two
 * writes, or Redis refused it): write it, with the same id. A job that failed for good without its rows
 * being marked (MySQL was away then): mark them failed and tell their owners. Safe in any number of
 * worker processes.
 */
export class OutboxSweeper {
  private readonly task: PeriodicTask;
  readonly stats = { enqueued: 0, failed: 0, sweeps: 0 };

  constructor(
    private readonly db: Knex,
    private readonly queues: CommitQueues,
    private readonly reporter: OutcomeReporter,
    private readonly logger: Logger,
    private readonly opts: { everyMs: number; graceMs: number; claim?: FleetClaim },
  ) {
    this.task = new PeriodicTask('outbox sweep', () => this.sweep(), opts.everyMs, logger, opts.claim);
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  async sweep(): Promise<void> {
    this.stats.sweeps++;
    const stale = await this.db('requests')
      .where('status', 'queued')
      .andWhere('created_at', '<', new Date(Date.now() - this.opts.graceMs))
      .orderBy('id')
      .limit(1_000)
      .select<{ id: number; room_id: number | null; commit_job_id: string }[]>(
        'id',
        'room_id',
        'commit_job_id',
      );
    // Rows submitted together name the same job: look each job up once.
    const byJob = new Map<string, { roomId: number; jobId: string; ids: number[] }>();
    for (const r of stale) {
      if (r.room_id === null) continue;
      const key = `${r.room_id}/${r.commit_job_id}`;
      const entry = byJob.get(key) ?? { roomId: r.room_id, jobId: r.commit_job_id, ids: [] };
      entry.ids.push(r.id);
      byJob.set(key, entry);
    }
    for (const { roomId, jobId, ids } of byJob.values()) {
      const job = await this.queues.queue(roomId).getJob(jobId);
      if (!job) {
        await this.queues.enqueue(roomId, jobId, ids);
        this.stats.enqueued += ids.length;
        this.logger.warn({ jobId, requestIds: ids }, 'outbox: enqueued requests that had no job');
      } else if (await job.isFailed()) {
        const reason = job.failedReason || 'the commit job failed';
        this.stats.failed += await failQueuedRequests(this.db, this.reporter, ids, reason);
      }
    }
  }
}
