import type { Redis } from '../../../core/redis.js';
import type { RedisKeys } from '../../../core/redis-keys.js';
import type { PaceState } from './adaptive-pace.js';

/**
 * A room's adaptive pace lives in the room's state hash (fields pace, pace_at, pace_cut_at), not in the
 * leader's memory: a new leader carries on from it, and any process's figures read it. The leader reads
 * and writes it through the plan-tick script (PLAN_TICK in queue/room-scripts.ts: no round trip of its
 * own); the functions below are that script's side of the encoding, the class the other readers'.
 */

/** The plan-tick script's pace arguments: '' everywhere writes nothing (no step pending). */
export interface PaceArgs {
  pace: string;
  paceAt: string;
  paceCutAt: string;
}

export function paceArgs(s: PaceState | undefined): PaceArgs {
  if (!s) return { pace: '', paceAt: '', paceCutAt: '' };
  return {
    pace: String(s.ratePerMin),
    paceAt: String(s.updatedAtMs),
    paceCutAt: s.cutAtMs === null ? '' : String(s.cutAtMs),
  };
}

/** The stored pace from the hash's fields ('' when unset); null when the room was never paced. */
export function paceOfFields(f: PaceArgs): PaceState | null {
  if (!f.pace || !f.paceAt) return null;
  return {
    ratePerMin: Number(f.pace),
    updatedAtMs: Number(f.paceAt),
    cutAtMs: f.paceCutAt ? Number(f.paceCutAt) : null,
  };
}

export class PaceStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Pick<RedisKeys, 'room'>,
  ) {}

  async load(roomId: number): Promise<PaceState | null> {
    const [pace, paceAt, paceCutAt] = await this.redis.hmget(
      this.key(roomId),
      'pace',
      'pace_at',
      'pace_cut_at',
    );
    return paceOfFields({ pace: pace ?? '', paceAt: paceAt ?? '', paceCutAt: paceCutAt ?? '' });
  }

  /** The effective rate (people/min) the room admits at; null when it was never paced (then: its rate). */
  async effectiveRate(roomId: number): Promise<number | null> {
    const pace = await this.redis.hget(this.key(roomId), 'pace');
    return pace ? Number(pace) : null;
  }

  private key(roomId: number): string {
    return this.keys.room(roomId, 'state');
  }
}
