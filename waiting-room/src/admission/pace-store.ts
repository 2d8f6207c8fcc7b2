import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../../core/redis-keys.js';
import type { PaceState } from './adaptive-pace.js';

/**
 * A room's adaptive pace lives in the room's state hash (fields pace, pace_at, pace_cut_at), not in the
 * leader's memory: a new leader carries on from it, the plan-tick script accrues the budget at it, and any
 * process's figures read it.
 */
export class PaceStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Pick<RedisKeys, 'room'>,
  ) {}

  async load(roomId: number): Promise<PaceState | null> {
    const [pace, at, cutAt] = await this.redis.hmget(this.key(roomId), 'pace', 'pace_at', 'pace_cut_at');
    if (!pace || !at) return null;
    return { ratePerMin: Number(pace), updatedAtMs: Number(at), cutAtMs: cutAt ? Number(cutAt) : null };
  }

  async save(roomId: number, s: PaceState): Promise<void> {
    await this.redis.hset(this.key(roomId), {
      pace: String(s.ratePerMin),
      pace_at: String(s.updatedAtMs),
      pace_cut_at: s.cutAtMs === null ? '' : String(s.cutAtMs),
    });
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
