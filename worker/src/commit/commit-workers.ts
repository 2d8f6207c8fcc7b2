import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import type { Logger } from '../../../core/logger.js';
import { observeSubmitToOutcome } from '../../../core/metrics/commit-metrics.js';
import { COMMIT_JOB_OPTIONS, commitQueueName } from '../../../core/queues.js';
import { redisKeys } from '../../../core/redis-keys.js';
import type { RequestRow } from '../../../core/requests/request-store.js';
import type { RoomKind } from '../../../core/rooms/room-kind.js';
import {
  requestIdsOf,
  type CommitJobData,
  type RequestKind,
  type RequestOutcome,
} from '../../../core/requests/request-types.js';
import { MicroBatcher } from '../../../core/micro-batcher.js';
import { failQueuedRequests } from './outcome-writer.js';
import type { OutcomeReporter } from './outcome-reporter.js';
import type { CommitResult, RequestCommitter } from './request-committer.js';

export interface CommitWorkerOptions {
  concurrency: number;
  batchMax: number;
  /** Batches of one room committed at once (while one commits, the next gathers and writes). */
  batchesInFlight: number;
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

/** What a room's requests are: its queue's batches go straight to that committer. */
const REQUEST_KIND_OF_ROOM: Record<RoomKind, RequestKind> = {
  registration: 'enrollment',
  sale: 'reservation',
};

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
 * a micro-batcher: with `concurrency` jobs active at once (each carrying a group of requests), whatever
 * arrives during a transaction is committed together in the next. A job ends once each of its requests'
 * stored outcome has been reported to its owner.
 */
export class CommitWorkers {
  private readonly workers = new Map<
    number,
    { worker: Worker<CommitJobData>; batcher: MicroBatcher<number, Reported> }
  >();
  private scanTimer: NodeJS.Timeout | undefined;
  /** The HTTP request id behind each request of the active jobs, for their pushes (ADR 016). */
  private readonly reqIds = new Map<number, string>();
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

  /** The rooms whose commit queues this process works (their job counts are exported). */
  roomIds(): number[] {
    return [...this.workers.keys()];
  }

  /** Takes no new jobs, finishes the active ones (their batches included), then closes. Safe to call twice. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      clearTimeout(this.scanTimer);
      await Promise.all([...this.workers.values()].map((w) => w.worker.close()));
    })());
  }

  private async scanRooms(): Promise<void> {
    const rooms = await this.deps.db('waiting_rooms').select<{ id: number; kind: RoomKind }[]>('id', 'kind');
    for (const { id, kind } of rooms) {
      if (!this.workers.has(id) && !this.closing) this.addWorker(id, REQUEST_KIND_OF_ROOM[kind]);
    }
  }

  private addWorker(roomId: number, kind: RequestKind): void {
    const batcher = new MicroBatcher<number, Reported>((ids) => this.commitAndReport(ids, kind), {
      maxBatch: this.opts.batchMax,
      maxWaitMs: 2,
      concurrency: this.opts.batchesInFlight,
    });
    const worker = new Worker<CommitJobData>(commitQueueName(roomId), (job) => this.process(job, batcher), {
      connection: this.deps.connection,
      prefix: redisKeys(this.deps.prefix).commitQueuePrefix(roomId),
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
  private async commitAndReport(ids: number[], kind: RequestKind): Promise<Reported[]> {
    const now = new Date();
    const results = await this.deps.committer.commit(ids, kind);
    const out: Reported[] = results.map((r) =>
      r.kind === 'decided' ? { kind: 'decided', row: withOutcome(r.row, r.outcome, now) } : r,
    );
    const rows = out.flatMap((r) => (r.kind === 'missing' ? [] : [r.row]));
    const notifications = results.flatMap((r) =>
      r.kind === 'decided' && r.notification ? [r.notification] : [],
    );
    if (rows.length > 0)
      await this.deps.reporter.reportMany(rows, notifications, (id) => this.reqIds.get(id));
    // Decided now and told: how long since the api took each (a redelivered one was measured before).
    const doneAt = Date.now();
    for (const r of out)
      if (r.kind === 'decided') observeSubmitToOutcome(kind, (doneAt - r.row.created_at.getTime()) / 1000);
    return out;
  }

  private async process(job: Job<CommitJobData>, batcher: MicroBatcher<number, Reported>): Promise<string> {
    const ids = requestIdsOf(job.data);
    const reqIds = job.data.reqIds;
    reqIds?.forEach((reqId, i) => reqId && this.reqIds.set(ids[i] as number, reqId));
    let results: Reported[];
    try {
      results = await Promise.all(ids.map((id) => batcher.submit(id)));
    } finally {
      for (const id of ids) this.reqIds.delete(id);
    }
    const tally = { committed: 0, rejected: 0, failed: 0, already: 0, missing: 0 };
    for (const r of results) {
      if (r.kind === 'missing') tally.missing++;
      else if (r.kind === 'already') tally.already++;
      else if (r.row.status === 'committed') tally.committed++;
      else if (r.row.status === 'rejected') tally.rejected++;
      else tally.failed++;
    }
    this.stats.redelivered += tally.already;
    this.stats.committed += tally.committed;
    this.stats.rejected += tally.rejected;
    if (tally.missing === ids.length) throw new UnrecoverableError(`no request row for job ${job.id ?? ''}`);
    if (tally.missing > 0)
      this.deps.logger.warn({ jobId: job.id, ...tally }, 'commit job named requests without rows');
    // One line per job (not per request): the api's request ids, so each can be followed here and to its push.
    this.deps.logger.info({ jobId: job.id, requestIds: ids, reqIds, ...tally }, 'commit job done');
    return JSON.stringify(tally);
  }

  /** A job out of attempts (or unrecoverable): its requests end `failed`, with the reason, and their owners are told. */
  private async onFailed(job: Job<CommitJobData>, err: Error): Promise<void> {
    const attempts = job.opts.attempts ?? COMMIT_JOB_OPTIONS.attempts;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= attempts;
    if (!final) return;
    const requestIds = requestIdsOf(job.data);
    try {
      this.stats.failed += await failQueuedRequests(
        this.deps.db,
        this.deps.reporter,
        requestIds,
        err.message,
      );
    } catch (markErr) {
      // MySQL is away too: the outbox sweeper finds these queued rows with a failed job and ends them later.
      this.deps.logger.error({ err: markErr, requestIds }, 'could not record failed requests');
    }
  }
}
