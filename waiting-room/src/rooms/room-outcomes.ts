import type { Knex } from 'knex';

export interface RoomOutcomes {
  /** Completed in the last minute, by outcome code (the status when a row has no code). */
  outcomes: Record<string, number>;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Committed per second over the last 10 s. */
  commitsPerSec: number;
}

/** At most this many of the newest rows are read; past it the figures describe the newest ones only. */
export const OUTCOME_ROW_LIMIT = 20_000;

/**
 * One bounded query: the room's requests completed in the last 60 s, newest first. Served by the index
 * (room_id, completed_at) (migration 20261130005000): an equality on room_id and a range on completed_at,
 * read backwards for the ORDER BY, stopping at the LIMIT.
 */
export async function recentOutcomes(db: Knex, roomId: number, now = new Date()): Promise<RoomOutcomes> {
  const since = new Date(now.getTime() - 60_000);
  const rows = await db('requests')
    .where('room_id', roomId)
    .andWhere('completed_at', '>=', since)
    .orderBy('completed_at', 'desc')
    .limit(OUTCOME_ROW_LIMIT)
    .select<{ status: string; outcome_code: string | null; created_at: Date; completed_at: Date }[]>(
      'status',
      'outcome_code',
      'created_at',
      'completed_at',
    );
  const outcomes: Record<string, number> = {};
  const latencies: number[] = [];
  const recentFrom = now.getTime() - 10_000;
  let recentCommits = 0;
  for (const r of rows) {
    const code = r.outcome_code ?? r.status.toUpperCase();
    outcomes[code] = (outcomes[code] ?? 0) + 1;
    latencies.push(Math.max(0, r.completed_at.getTime() - r.created_at.getTime()));
    if (r.status === 'committed' && r.completed_at.getTime() >= recentFrom) recentCommits += 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    outcomes,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    commitsPerSec: Math.round((recentCommits / 10) * 10) / 10,
  };
}

/** The newest this many rows at most feed the admission pace's p99 (a sample: enough for a p99, cheap). */
export const PACE_SAMPLE_LIMIT = 1_000;

/** What the adaptive pace reads of a room's recent outcomes (ADR 012). */
export interface RecentDelivery {
  /** Submit (row written) → outcome p99; null when none completed in the window. */
  p99Ms: number | null;
  /** Requests decided per minute over the window: what the pipeline delivers for the room now. */
  perMin: number;
}

/**
 * The room's requests completed in the last `windowMs`, for the adaptive pace (ADR 012): the same index
 * range as recentOutcomes, newest first, a short window so the pace sees the pipeline as it is now. The
 * rate is counted over the window, or, when the sample limit cuts it short, over the span the sample
 * covers (so it costs no second query).
 */
export async function recentDelivery(
  db: Knex,
  roomId: number,
  windowMs: number,
  now = new Date(),
): Promise<RecentDelivery> {
  const rows = await db('requests')
    .where('room_id', roomId)
    .andWhere('completed_at', '>=', new Date(now.getTime() - windowMs))
    .orderBy('completed_at', 'desc')
    .limit(PACE_SAMPLE_LIMIT)
    .select<{ created_at: Date; completed_at: Date }[]>('created_at', 'completed_at');
  const latencies = rows.map((r) => Math.max(0, r.completed_at.getTime() - r.created_at.getTime()));
  const oldest = rows.at(-1)?.completed_at.getTime();
  const spanMs =
    rows.length < PACE_SAMPLE_LIMIT || oldest === undefined ? windowMs : Math.max(1, now.getTime() - oldest);
  return {
    p99Ms: percentile(
      latencies.sort((a, b) => a - b),
      0.99,
    ),
    perMin: Math.round((rows.length * 60_000) / spanMs),
  };
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}
