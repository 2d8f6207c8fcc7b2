import { UnauthorizedError } from '../errors.js';
import type { StandingSnapshot } from './user-standing-store.js';

/** How often a busy process re-reads who is deactivated: the bound on how long a deactivation takes. */
export const STANDING_REFRESH_MS = 5_000;
/** Past this age a request waits for a fresh read instead of trusting the old one (an idle process). */
const STANDING_MAX_AGE_MS = 2 * STANDING_REFRESH_MS;
/** An id newer than the snapshot re-reads it, at most this often (forged ids can't flood MySQL). */
const UNKNOWN_ID_REREAD_MS = 1_000;

/**
 * Refuses, at the edge, access tokens of accounts that don't exist or are deactivated: a token is
 * signed for 15 minutes, and the account can be switched off (or the database rebuilt) within them.
 *
 * Cheap on the hot path: no query per request. Each process keeps one snapshot (the highest user id and
 * the set of deactivated ids) and re-reads it in the background every STANDING_REFRESH_MS while requests
 * come; a request waits for MySQL only for the first snapshot, after an idle spell longer than
 * STANDING_MAX_AGE_MS, or for an id newer than the snapshot (a just-created account, once). Staleness:
 * a deactivation is enforced by every process within 5 s (10 s after an idle spell) of its commit; while
 * MySQL is away the last snapshot stays in force.
 */
export class UserStanding {
  private snapshot?: StandingSnapshot;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading?: Promise<StandingSnapshot>;

  constructor(
    private readonly load: () => Promise<StandingSnapshot>,
    private readonly now: () => number = Date.now,
  ) {}

  async assertActive(userId: number): Promise<void> {
    let snap = await this.current();
    if (userId > snap.maxId) snap = await this.reread(UNKNOWN_ID_REREAD_MS);
    if (userId > snap.maxId) throw new UnauthorizedError('USER_UNKNOWN', 'This account does not exist');
    if (snap.inactive.has(userId)) {
      throw new UnauthorizedError('USER_DEACTIVATED', 'This account has been deactivated');
    }
  }

  private async current(): Promise<StandingSnapshot> {
    const age = this.now() - this.readAt;
    if (this.snapshot && age < STANDING_REFRESH_MS) return this.snapshot;
    if (this.snapshot && age < STANDING_MAX_AGE_MS) {
      // Served from the snapshot; the next requests get the fresh one. A failed read keeps the old one.
      this.reread(0).catch(() => undefined);
      return this.snapshot;
    }
    return this.reread(0);
  }

  /** One read at a time per process, started no sooner than `minGapMs` after the previous one. */
  private reread(minGapMs: number): Promise<StandingSnapshot> {
    this.reading ??= (async () => {
      const wait = this.readAt + minGapMs - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const startedAt = this.now();
      try {
        this.snapshot = await this.load();
        this.readAt = startedAt;
        return this.snapshot;
      } catch (err) {
        // MySQL away: keep enforcing what we last knew rather than refuse everyone.
        if (this.snapshot) {
          this.readAt = startedAt;
          return this.snapshot;
        }
        throw err;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}
