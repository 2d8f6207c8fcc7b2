import type { Knex } from 'knex';
import { ForbiddenError } from '../../../core/errors.js';
import { MicroBatcher } from '../../../core/micro-batcher.js';
import { TtlCache } from '../../../core/ttl-cache.js';
import { roomGrades, userGrades } from './grade-read-model.js';

/** How long a room's years and a person's year are trusted in one process: both change rarely. */
const ROOM_CACHE_MS = 5_000;
const USER_CACHE_MS = 60_000;
/** The school years there are (the users table's CHECK): a window listing them all restricts nobody. */
const ALL_YEARS = [1, 2, 3, 4];

/**
 * Joining a registration room needs the person's school year to be in its window (ADR 015). On the join
 * path this costs no Redis and, in a rush, almost no MySQL: a room's years are read once per process
 * every 5 s; a person's year once per process a minute, and the joins that arrive while one lookup runs
 * share the next (one `SELECT … WHERE id IN (…)` by primary key). Sale rooms and rooms without a window
 * cost nothing beyond the cached room read.
 */
export class GradeCheck {
  private readonly rooms = new TtlCache<number, readonly number[] | null | undefined>(ROOM_CACHE_MS);
  private readonly users = new TtlCache<number, number | null>(USER_CACHE_MS);
  private readonly lookups: MicroBatcher<number, number | null>;

  constructor(private readonly db: Knex) {
    this.lookups = new MicroBatcher(
      async (ids) => {
        const found = await userGrades(this.db, ids);
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatch: 1_000, maxWaitMs: 0 },
    );
  }

  /** Throws 403 GRADE_NOT_IN_WINDOW when the room's window does not admit this person's year. */
  async assertMayJoin(roomId: number, userId: number): Promise<void> {
    const grades = await this.rooms.getOrLoad(roomId, () => roomGrades(this.db, roomId));
    // No window, no such room (the join itself says 404), or a window for every year: nothing to check.
    if (!grades || ALL_YEARS.every((y) => grades.includes(y))) return;
    const grade = await this.users.getOrLoad(userId, () => this.lookups.submit(userId));
    if (grade === null || !grades.includes(grade)) {
      throw new ForbiddenError(
        'GRADE_NOT_IN_WINDOW',
        `This registration window is for year ${grades.join(', ')} students only`,
        { grades },
      );
    }
  }
}
