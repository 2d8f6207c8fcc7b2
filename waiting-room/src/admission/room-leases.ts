import { randomUUID } from 'node:crypto';
import type { Redis } from '../../../core/redis.js';
import { runScript } from '../../../core/redis-script.js';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RoomLeaseKeys {
  /** The sorted set of live waiting-room processes (member: process id, score: when its heartbeat ends). */
  fleet: string;
  /** One room's lease (under the room's hash tag, so it sits in the room's cluster slot). */
  lease(roomId: number): string;
}

/**
 * Which rooms this process leads (ADR 024). Each room has its own lease, a Redis key with an expiry held
 * by one process id; every process keeps a heartbeat in the fleet set, so each knows how many are alive and
 * takes at most its share, ceil(rooms / live processes): the rooms spread over the processes, and a dead
 * process's rooms (their leases expire with its heartbeat) go to the others within one lease. A process
 * over its share (one more process has joined) lets the excess go, so the newcomer can take it.
 * Renewal and release only touch a key that still holds our id.
 */
export class RoomLeases {
  readonly id = randomUUID();
  /** Each room we hold, and until when (local clock) its lease surely lasts: counted from before the call. */
  private readonly held = new Map<number, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RoomLeaseKeys,
    private readonly leaseMs: number,
  ) {}

  /** The rooms this process leads, as of the last balance. */
  leading(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /**
   * Whether the lease on a room still has at least `marginMs` to run. A pass that ticks many rooms against
   * a busy MySQL can outlast a lease renewed at its start: a room whose lease may have ended (and been
   * taken by another process) is not ticked again until the next balance renews it.
   */
  stillHeld(roomId: number, marginMs: number): boolean {
    const until = this.held.get(roomId);
    return until !== undefined && Date.now() + marginMs < until;
  }

  /**
   * Renews what we hold, lets go of what is gone or over our share, takes free rooms up to it; returns the
   * rooms we lead now. Called once per admission tick, before ticking.
   */
  async balance(roomIds: readonly number[]): Promise<number[]> {
    const live = await this.heartbeat();
    const share = Math.ceil(roomIds.length / live);
    const listed = new Set(roomIds);
    for (const id of [...this.held.keys()]) if (!listed.has(id)) await this.releaseRoom(id);
    await this.renewHeld();
    // Over our share: the rooms we let go are free for the process that has too few.
    for (const id of this.leading().slice(share)) await this.releaseRoom(id);
    if (this.held.size < share) await this.takeFree(roomIds, share);
    return this.leading();
  }

  /** Lets every room go and leaves the fleet, so the others take over at once (a clean stop). */
  async releaseAll(): Promise<void> {
    for (const id of [...this.held.keys()]) await this.releaseRoom(id);
    await this.redis.zrem(this.keys.fleet, this.id);
  }

  /** Forgets what we held without telling Redis (the connection is gone): the leases expire by themselves. */
  forget(): void {
    this.held.clear();
  }

  private async heartbeat(): Promise<number> {
    const now = Date.now();
    const replies = await this.redis
      .multi()
      .zadd(this.keys.fleet, now + this.leaseMs, this.id)
      .zremrangebyscore(this.keys.fleet, '-inf', now)
      .zcard(this.keys.fleet)
      .exec();
    // ZCARD's reply; we just added ourselves, so at least one.
    const count = Number(replies?.[2]?.[1] ?? 1);
    return Math.max(1, count);
  }

  private async renewHeld(): Promise<void> {
    const ids = [...this.held.keys()];
    const until = Date.now() + this.leaseMs;
    const renewed = await Promise.all(
      ids.map((id) => runScript(this.redis, RENEW, 1, this.keys.lease(id), this.id, this.leaseMs)),
    );
    ids.forEach((id, i) => {
      if (renewed[i] === 1) this.held.set(id, until);
      else this.held.delete(id);
    });
  }

  private async takeFree(roomIds: readonly number[], share: number): Promise<void> {
    const candidates = roomIds.filter((id) => !this.held.has(id));
    if (candidates.length === 0) return;
    // One round trip to see which are free; only those are tried, in a random order so processes that
    // look at the same moment do not all race for the same rooms.
    const exists = await Promise.all(candidates.map((id) => this.redis.exists(this.keys.lease(id))));
    const free = candidates.filter((_, i) => exists[i] === 0);
    for (let i = free.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [free[i], free[j]] = [free[j]!, free[i]!];
    }
    for (const id of free) {
      if (this.held.size >= share) return;
      const until = Date.now() + this.leaseMs;
      const ok = await this.redis.set(this.keys.lease(id), this.id, 'PX', this.leaseMs, 'NX');
      if (ok === 'OK') this.held.set(id, until);
    }
  }

  private async releaseRoom(id: number): Promise<void> {
    this.held.delete(id);
    await runScript(this.redis, RELEASE, 1, this.keys.lease(id), this.id);
  }
}
