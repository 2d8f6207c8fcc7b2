import type { Knex } from 'knex';

/**
 * Whether a room still has what it guards: a sale room its event's free seats (active, status `free`), a
 * registration room the sections of its window's term (active, enrolled below capacity). Null when it
 * guards nothing (no event or window, or no active seat or section yet): a room being set up is never
 * sold out. One statement, run by the admission leader about once a second per room: each EXISTS stops at
 * the first row found, so while seats are left it reads one; once none is, the seats' (event_id, zone,
 * status) index answers for status without reading the rows.
 */
export async function inventoryLeft(db: Knex, roomId: number): Promise<boolean | null> {
  const seats = (free: boolean) => {
    const q = db('seats as s').select(db.raw('1')).whereRaw('s.event_id = r.event_id').where('s.active', 1);
    return free ? q.where('s.status', 'free') : q;
  };
  const sections = (open: boolean) => {
    const q = db('sections as s')
      .join('registration_windows as w', 'w.term_id', 's.term_id')
      .select(db.raw('1'))
      .whereRaw('w.id = r.registration_window_id')
      .where('s.active', 1);
    return open ? q.whereRaw('s.enrolled < s.capacity') : q;
  };
  const row = await db('waiting_rooms as r')
    .where('r.id', roomId)
    .first<{ guards: number | null; left_: number | null } | undefined>(
      db.raw(`CASE WHEN r.kind = 'sale' THEN EXISTS(?) ELSE EXISTS(?) END AS guards`, [
        seats(false),
        sections(false),
      ]),
      db.raw(`CASE WHEN r.kind = 'sale' THEN EXISTS(?) ELSE EXISTS(?) END AS left_`, [
        seats(true),
        sections(true),
      ]),
    );
  if (!row || !Number(row.guards)) return null;
  return Boolean(Number(row.left_));
}
