import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import { COMMIT_JOB_OPTIONS, commitQueueName } from '../../../core/queues.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { findRequest, type RequestRow } from '../../../core/requests/request-store.js';
import type { CommitJobData, RequestOutcome } from '../../../core/requests/request-types.js';
import { MicroBatcher } from './micro-batcher.js';
import { markFailed } from './outcome-writer.js';
import type { OutcomeReporter } from './outcome-reporter.js';
import type { CommitResult, RequestCommitter } from './request-committer.js';

export interface CommitWorkerOptions {
  concurrency: number;
  batchMax: number;
  lockDurationMs: number;
  /** How often to look for rooms (and so queues) created since start. */
  roomScanMs: number;
}

export interface CommitWorkerStats {
  queues: number;
  committed: number;
  rejected: number;
  failed: number;
  redelivered: number;
}

/** A commit result with the row as it now stands (outcome applied), once its owner has been told. */
type Reported = Exclude<CommitResult, { kind: 'decided' }> | { kind: 'decided'; row: RequestRow };

const withOutcome = (row: RequestRow, o: RequestOutcome, at: Date): RequestRow => ({
  ...row,
  status: o.status,
  outcome_code: o.code,
  outcome_message: o.message,
  outcome: o.details ?? null,
  completed_at: at,
});

/**
 * One BullMQ worker per room's commit queue (so one sale's burst never delays another's), each feeding
 * a micro-batcher: with `concurrency` jobs active at once, whatever arrives during a transaction is
 * committed together in the next. Every job ends by reporting the request's stored outcome.
 */
export class CommitWorkers {
  private readonly workers = new Map<
    number,
    { worker: Worker<CommitJobData>; batcher: MicroBatcher<number, Reported> }
  >();
  private scanTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly stats: CommitWorkerStats = {
    queues: 0,
    committed: 0,
    rejected: 0,
    failed: 0,
    redelivered: 0,
  };

  constructor(
    private readonly deps: {
      db: Knex;
      /** A connection with maxRetriesPerRequest null: BullMQ workers block on it. */
      connection: Redis;
      prefix: string;
      committer: RequestCommitter;
      reporter: OutcomeReporter;
      logger: Logger;
    },
    private readonly opts: CommitWorkerOptions,
  ) {}

  async start(): Promise<void> {
    await this.scanRooms();
    const loop = () => {
      this.scanTimer = setTimeout(() => {
        this.scanRooms()
          .catch((err: unknown) => this.deps.logger.error({ err }, 'room scan failed'))
          .finally(() => {
            if (!this.closing) loop();
          });
      }, this.opts.roomScanMs);
    };
    loop();
  }

  getStats(): CommitWorkerStats & { batches: number; batchedItems: number; batchBusyMs: number } {
    const b = { batches: 0, batchedItems: 0, batchBusyMs: 0 };
    for (const { batcher } of this.workers.values()) {
      b.batches += batcher.stats.batches;
      b.batchedItems += batcher.stats.items;
      b.batchBusyMs += batcher.stats.busyMs;
    }
    return { ...this.stats, queues: this.workers.size, ...b };
  }

  /** Takes no new jobs, finishes the active ones (their batches included), then closes. Safe to call twice. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      clearTimeout(this.scanTimer);
      await Promise.all([...this.workers.values()].map((w) => w.worker.close()));
    })());
  }

  private async scanRooms(): Promise<void> {
    const ids = await this.deps.db('waiting_rooms').pluck<number[]>('id');
    for (const id of ids) if (!this.workers.has(id) && !this.closing) this.addWorker(id);
  }

  private addWorker(roomId: number): void {
    const batcher = new MicroBatcher<number, Reported>((ids) => this.commitAndReport(ids), {
      maxBatch: this.opts.batchMax,
      maxWaitMs: 2,
    });
    const worker = new Worker<CommitJobData>(commitQueueName(roomId), (job) => this.process(job, batcher), {
      connection: this.deps.connection,
      prefix: redisKeys(this.deps.prefix).bullPrefix,
      concurrency: this.opts.concurrency,
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: Math.max(1_000, Math.floor(this.opts.lockDurationMs / 2)),
      maxStalledCount: 2,
    });
    worker.on('failed', (job, err) => {
      if (job) void this.onFailed(job, err);
    });
    worker.on('error', (err) => this.deps.logger.error({ err, roomId }, 'commit worker error'));
    this.workers.set(roomId, { worker, batcher });
  }

  /** Commits a batch, then tells everyone in it, in one Redis pipeline, before any of their jobs is acked. */
  private async commitAndReport(ids: number[]): Promise<Reported[]> {
    const now = new Date();
    const out: Reported[] = (await this.deps.committer.commit(ids)).map((r) =>
      r.kind === 'decided' ? { kind: 'decided', row: withOutcome(r.row, r.outcome, now) } : r,
    );
    const rows = out.flatMap((r) => (r.kind === 'missing' ? [] : [r.row]));
    if (rows.length > 0) await this.deps.reporter.reportMany(rows);
    return out;
  }

  private async process(job: Job<CommitJobData>, batcher: MicroBatcher<number, Reported>): Promise<string> {
    const result = await batcher.submit(job.data.requestId);
    if (result.kind === 'missing') throw new UnrecoverableError(`request ${job.data.requestId} has no row`);
    if (result.kind === 'already') this.stats.redelivered++;
    else if (result.row.status === 'committed') this.stats.committed++;
    else this.stats.rejected++;
    return result.row.status;
  }

  /** A job out of attempts (or unrecoverable): its request ends `failed`, with the reason, and its owner is told. */
  private async onFailed(job: Job<CommitJobData>, err: Error): Promise<void> {
    const attempts = job.opts.attempts ?? COMMIT_JOB_OPTIONS.attempts;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= attempts;
    if (!final) return;
    try {
      if (
        await markFailed(
          this.deps.db,
          job.data.requestId,
          'COMMIT_FAILED',
          `Could not be processed: ${err.message}`,
        )
      ) {
        this.stats.failed++;
        const row = await findRequest(this.deps.db, job.data.requestId);
        if (row) await this.deps.reporter.report(row);
      }
    } catch (markErr) {
      // MySQL is away too: the outbox sweeper finds this queued row with a failed job and ends it later.
      this.deps.logger.error(
        { err: markErr, requestId: job.data.requestId },
        'could not record a failed request',
      );
    }
  }
}
