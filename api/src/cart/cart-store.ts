import type { Knex } from 'knex';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import { ConflictError, NotFoundError } from '../../../core/errors.js';

/** Enough for any real plan; stops a script from growing one student's cart (and its reads) forever. */
export const CART_MAX_ITEMS = 30;

/**
 * Puts a section in the student's cart for its term; `added` is false when it was there already. The
 * student's row is locked first, as the commit worker does, so two tabs adding at once can't both pass
 * the size check; no other lock is taken, so this can't deadlock with a commit.
 */
export function addCartItem(
  db: Knex,
  userId: number,
  sectionId: number,
): Promise<{ termId: number; added: boolean }> {
  return retryOnLockConflict(() =>
    db.transaction(async (trx) => {
      const user = await trx('users')
        .where({ id: userId })
        .first<{ id: number } | undefined>('id')
        .forUpdate();
      if (!user) throw new NotFoundError('USER_NOT_FOUND', 'Your account no longer exists');
      const section = await trx('sections')
        .where({ id: sectionId })
        .first<{ term_id: number; active: number } | undefined>('term_id', 'active');
      if (!section) throw new NotFoundError('SECTION_NOT_FOUND', `No section ${sectionId}`);
      // Staff deactivate a section instead of deleting it; nobody can plan on it any more.
      if (!section.active)
        throw new ConflictError('SECTION_INACTIVE', `Section ${sectionId} is no longer offered`);
      const termId = section.term_id;
      const existing = await trx('cart_items')
        .where({ user_id: userId, section_id: sectionId })
        .first<{ id: number } | undefined>('id');
      if (existing) return { termId, added: false };
      const [count] = await trx('cart_items as ci')
        .join('sections as s', 's.id', 'ci.section_id')
        .where('ci.user_id', userId)
        .andWhere('s.term_id', termId)
        .count<{ n: number | string }[]>({ n: '*' });
      if (Number(count?.n ?? 0) >= CART_MAX_ITEMS) {
        throw new ConflictError('CART_FULL', `A cart holds at most ${CART_MAX_ITEMS} sections per term`, {
          maxItems: CART_MAX_ITEMS,
        });
      }
      await trx('cart_items').insert({ user_id: userId, section_id: sectionId });
      return { termId, added: true };
    }),
  );
}

/** Takes a section out of the student's cart; the section's term, or undefined when it wasn't in it. */
export async function removeCartItem(
  db: Knex,
  userId: number,
  sectionId: number,
): Promise<{ termId: number } | undefined> {
  const row = await db('cart_items as ci')
    .join('sections as s', 's.id', 'ci.section_id')
    .where({ 'ci.user_id': userId, 'ci.section_id': sectionId })
    .first<{ id: number; term_id: number } | undefined>('ci.id', 's.term_id');
  if (!row) return undefined;
  await db('cart_items').where({ id: row.id }).delete();
  return { termId: row.term_id };
}
