/** Figures read back after a run, the same for every scenario: counts, the requests' span, latency stages, commit batches. */
import type { Knex } from 'knex';
import type { AppProcess } from '../lib/app-process.js';
import { round } from './bench-env.js';
import { p50p99, sum } from './stats.js';

/** Rows of the query counted by a column's value (NULL as `NONE`). */
export async function countBy(
  db: Knex,
  q: Knex.QueryBuilder,
  column: string,
): Promise<Record<string, number>> {
  const rows = await q
    .groupBy(column)
    .select<{ k: string | null; n: number }[]>(`${column} as k`, db.raw('COUNT(*) AS n'));
  return Object.fromEntries(rows.map((r) => [r.k ?? 'NONE', Number(r.n)]));
}

/** How many requests the room had, and when the first was inserted and the last decided (`fallbackMs` if none). */
export async function requestSpan(
  db: Knex,
  roomId: number,
  fallbackMs: number,
): Promise<{ requests: number; firstMs: number; lastMs: number }> {
  const [span] = await db('requests')
    .where({ room_id: roomId })
    .select<{ n: number; first: Date | null; last: Date | null }[]>(
      db.raw('COUNT(*) AS n'),
      db.raw('MIN(created_at) AS first'),
      db.raw('MAX(completed_at) AS last'),
    );
  return {
    requests: Number(span?.n ?? 0),
    firstMs: span?.first ? new Date(span.first).getTime() : fallbackMs,
    lastMs: span?.last ? new Date(span.last).getTime() : fallbackMs,
  };
}

/**
 * Where the time between submit and outcome goes, p50/p99 of each stage (epoch ms, one clock): `api`
 * until the api inserted the request row (created_at), `to_batch` until the batch deciding it started
 * (completed_at is the batch's start), `batch_and_push` until the client heard it.
 */
export async function latencyStages(
  db: Knex,
  timeline: [number, number, number][],
): Promise<Record<string, [number, number]>> {
  const parts: Record<'api' | 'to_batch' | 'batch_and_push', number[]> = {
    api: [],
    to_batch: [],
    batch_and_push: [],
  };
  for (let i = 0; i < timeline.length; i += 1_000) {
    const chunk = timeline.slice(i, i + 1_000);
    const rows = await db('requests')
      .whereIn(
        'id',
        chunk.map(([id]) => id),
      )
      .whereNotNull('completed_at')
      .select<{ id: number; created_at: Date; completed_at: Date }[]>('id', 'created_at', 'completed_at');
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [id, submitAt, heardAt] of chunk) {
      const r = byId.get(id);
      if (!r) continue;
      parts.api.push(r.created_at.getTime() - submitAt);
      parts.to_batch.push(r.completed_at.getTime() - r.created_at.getTime());
      parts.batch_and_push.push(heardAt - r.completed_at.getTime());
    }
  }
  return p50p99(parts);
}

/** What a worker's /healthz says about its commit batches and, in a sale, its reservations. */
export interface WorkerHealth {
  commit?: { batches: number; batchedItems: number; batchBusyMs: number };
  reservations?: { jobs: { expired: number; confirmed: number }; sweep: { expired: number } };
}

export const workerHealth = (workers: AppProcess[]): Promise<WorkerHealth[]> =>
  Promise.all(workers.map(async (w) => (await (await fetch(`${w.url}/healthz`)).json()) as WorkerHealth));

/** Commit batches over all workers, their mean size and mean time. */
export function batchFigures(health: WorkerHealth[]) {
  const batches = sum(health.map((h) => h.commit?.batches ?? 0));
  return {
    commit_batches: batches,
    mean_batch: round(sum(health.map((h) => h.commit?.batchedItems ?? 0)) / Math.max(1, batches), 1),
    mean_batch_ms: round(sum(health.map((h) => h.commit?.batchBusyMs ?? 0)) / Math.max(1, batches), 1),
  };
}
