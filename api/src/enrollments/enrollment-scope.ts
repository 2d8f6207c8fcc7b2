import type { Knex } from 'knex';
import { UnprocessableError } from '../../../core/errors.js';
import { TtlCache } from '../../../core/ttl-cache.js';
import { sectionTerms, termRoomIds } from './enrollment-read-model.js';

/**
 * What an enrollment request touches, checked before anything is recorded: every section exists, all in
 * one term, and which waiting rooms guard that term's registration, all read on every submission in a
 * rush. A section's term never changes and is cached for good; a term's rooms are cached for a few
 * seconds and refreshed ahead of expiry. A section deleted meanwhile is still refused by the worker, which
 * reads it under lock.
 */
export class EnrollmentScope {
  private readonly roomCache: TtlCache<number, number[]>;
  private readonly termCache: TtlCache<number, number>;

  constructor(
    private readonly db: Knex,
    cacheMs = 5_000,
  ) {
    this.roomCache = new TtlCache(cacheMs, { refreshAhead: true });
    // A section's term is fixed for its life (staff cannot edit it: enrollments copy it), so it never expires.
    this.termCache = new TtlCache(Number.POSITIVE_INFINITY);
  }

  async resolve(sectionIds: number[]): Promise<{ termId: number; roomIds: number[] }> {
    const unique = [...new Set(sectionIds)];
    if (unique.length !== sectionIds.length) {
      throw new UnprocessableError('DUPLICATE_SECTION', 'A section is listed twice');
    }
    const termOf = await this.termsOf(unique);
    const unknown = unique.filter((id) => !termOf.has(id));
    if (unknown.length > 0) {
      throw new UnprocessableError('UNKNOWN_SECTION', `No section ${unknown.join(', ')}`, {
        sectionIds: unknown,
      });
    }
    const terms = [...new Set(termOf.values())];
    if (terms.length !== 1)
      throw new UnprocessableError('MIXED_TERMS', 'All sections of one request must be in one term');
    const termId = terms[0] as number;
    return { termId, roomIds: await this.roomsForTerm(termId) };
  }

  /** Each known section's term; unknown sections are absent (and never cached). */
  private termsOf(ids: number[]): Promise<Map<number, number>> {
    return this.termCache.getMany(ids, async (missing) => {
      const rows = await sectionTerms(this.db, missing);
      return new Map(rows.map((r) => [r.id, r.term_id]));
    });
  }

  private roomsForTerm(termId: number): Promise<number[]> {
    return this.roomCache.getOrLoad(termId, () => termRoomIds(this.db, termId));
  }
}
