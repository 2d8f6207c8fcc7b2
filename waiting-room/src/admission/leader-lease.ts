import { randomUUID } from 'node:crypto';
import type { Redis } from '../../../core/redis.js';
import { runScript } from '../../../core/redis-script.js';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * One leader at a time across every process: a Redis key with an expiry, held by whoever set it.
 * The holder renews it each tick; if it dies the key expires and another process takes over within
 * one lease. Renewal and release only touch the key while it still holds our id.
 */
export class LeaderLease {
  readonly id = randomUUID();
  private held = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly leaseMs: number,
  ) {}

  /** Takes the lease when free, renews it when ours. Returns whether we lead now. */
  async acquireOrRenew(): Promise<boolean> {
    if (this.held) {
      this.held = (await runScript(this.redis, RENEW, 1, this.key, this.id, this.leaseMs)) === 1;
    }
    if (!this.held) {
      this.held = (await this.redis.set(this.key, this.id, 'PX', this.leaseMs, 'NX')) === 'OK';
    }
    return this.held;
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    await runScript(this.redis, RELEASE, 1, this.key, this.id);
  }
}
