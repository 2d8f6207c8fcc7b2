import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';

/**
 * Fills the staff console's lists past their first page (50 rows), as a database that has run a few terms
 * and sales looks (and as the suite's shared database does by the time a browser test runs): what a test
 * creates must still be found where staff look for it.
 */
export async function fillStaffListsPastOnePage(db: Knex, n = 60): Promise<void> {
  const tag = randomBytes(3).toString('hex').toUpperCase();
  const range = Array.from({ length: n }, (_, i) => i);
  await db('terms').insert(
    range.map((i) => ({
      code: `F${tag}${i}`,
      name: `Filler ${tag} ${i}`,
      starts_on: '2020-03-01',
      ends_on: '2020-06-30',
    })),
  );
  await db('majors').insert(range.map((i) => ({ code: `F${tag}${i}`, name: `Filler ${tag} ${i}` })));
  await db('events').insert(
    range.map((i) => ({
      kind: 'concert',
      title: `Filler ${tag} ${i}`,
      venue: 'Filler Hall',
      starts_at: new Date(Date.now() + 60 * 86_400_000),
      per_user_limit: 4,
      hold_ttl_s: 600,
    })),
  );
}
