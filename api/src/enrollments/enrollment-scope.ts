import type { Knex } from 'knex';
import { UnprocessableError } from '../../../core/errors.js';

/**
 * What an enrollment request touches, checked before anything is recorded: every section exists, all in
 * one term, and which waiting rooms guard that term's registration. Room lists are cached for a few
 * seconds: they change rarely and are read on every submission in a rush.
 */
export class EnrollmentScope {
  private readonly roomCache = new Map<number, { at: number; rooms: number[] }>();

  constructor(
    private readonly db: Knex,
    private readonly cacheMs = 5_000,
  ) {}

  async resolve(sectionIds: number[]): Promise<{ termId: number; roomIds: number[] }> {
    const unique = [...new Set(sectionIds)];
    if (unique.length !== sectionIds.length) {
      throw new UnprocessableError('DUPLICATE_SECTION', 'A section is listed twice');
    }
    const rows = await this.db('sections')
      .whereIn('id', unique)
      .select<{ id: number; term_id: number }[]>('id', 'term_id');
    const found = new Set(rows.map((r) => r.id));
    const unknown = unique.filter((id) => !found.has(id));
    if (unknown.length > 0) {
      throw new UnprocessableError('UNKNOWN_SECTION', `No section ${unknown.join(', ')}`, {
        sectionIds: unknown,
      });
    }
    const terms = [...new Set(rows.map((r) => r.term_id))];
    if (terms.length !== 1)
      throw new UnprocessableError('MIXED_TERMS', 'All sections of one request must be in one term');
    const termId = terms[0] as number;
    return { termId, roomIds: await this.roomsForTerm(termId) };
  }

  private async roomsForTerm(termId: number): Promise<number[]> {
    const cached = this.roomCache.get(termId);
    if (cached && Date.now() - cached.at < this.cacheMs) return cached.rooms;
    const rooms = await this.db('waiting_rooms as r')
      .join('registration_windows as w', 'w.id', 'r.registration_window_id')
      .where('w.term_id', termId)
      .pluck<number[]>('r.id');
    this.roomCache.set(termId, { at: Date.now(), rooms });
    return rooms;
  }
}
