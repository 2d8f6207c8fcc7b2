import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import { PeriodicTask } from '../../../core/process/periodic-task.js';
import type { CommitQueues } from '../../../core/queues.js';
import { findRequest } from '../../../core/requests/request-store.js';
import { commitJobId } from '../../../core/requests/request-types.js';
import { markFailed } from './outcome-writer.js';
import type { OutcomeReporter } from './outcome-reporter.js';

/**
 * The other half of "neither the row nor the job can exist alone": requests still `queued` a while after
 * they were recorded are checked against their job. No job (the api died between its two writes, or
 * Redis refused it): enqueue it. A job that failed for good without its row being marked (MySQL was
 * away then): mark the row failed and tell its owner. Safe in any number of worker processes.
 */
export class OutboxSweeper {
  private readonly task: PeriodicTask;
  readonly stats = { enqueued: 0, failed: 0, sweeps: 0 };

  constructor(
    private readonly db: Knex,
    private readonly queues: CommitQueues,
    private readonly reporter: OutcomeReporter,
    private readonly logger: Logger,
    private readonly opts: { everyMs: number; graceMs: number },
  ) {
    this.task = new PeriodicTask('outbox sweep', () => this.sweep(), opts.everyMs, logger);
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
      .select<{ id: number; room_id: number | null }[]>('id', 'room_id');
    for (const r of stale) {
      if (r.room_id === null) continue;
      const job = await this.queues.queue(r.room_id).getJob(commitJobId(r.id));
      if (!job) {
        await this.queues.enqueue(r.room_id, r.id);
        this.stats.enqueued++;
        this.logger.warn({ requestId: r.id }, 'outbox: enqueued a request that had no job');
      } else if (await job.isFailed()) {
        const reason = job.failedReason || 'the commit job failed';
        if (await markFailed(this.db, r.id, 'COMMIT_FAILED', `Could not be processed: ${reason}`)) {
          this.stats.failed++;
          const row = await findRequest(this.db, r.id);
          if (row) await this.reporter.report(row);
        }
      }
    }
  }
}
