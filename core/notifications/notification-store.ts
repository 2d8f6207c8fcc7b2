import type { Knex } from 'knex';
import { insertedIds } from '../db.js';
import { parseJson } from '../requests/request-store.js';
import type { NotificationView } from '../views/notification-views.js';

/**
 * Notifications are written in the transaction of the change they report (an outcome, a hold released,
 * a payment), so one exists exactly when its change does; the push that follows the commit is a courtesy.
 */
export type NotificationKind = NotificationView['kind'];

export interface NotificationRow {
  id: number;
  user_id: number;
  kind: NotificationKind;
  code: string;
  message: string;
  params: unknown;
  link: unknown;
  created_at: Date;
  read_at: Date | null;
}

/** A notification before it is written. */
export interface NewNotification {
  userId: number;
  kind: NotificationKind;
  code: string;
  message: string;
  params: NotificationView['params'];
  link: NotificationView['link'];
}

/** A written notification and whose it is: what is pushed to `user:<id>` after the commit. */
export interface UserNotification {
  userId: number;
  view: NotificationView;
}

/** Rows per INSERT: a commit batch's worth (~1,000 outcomes) in one statement, far below max_allowed_packet. */
const CHUNK = 1_000;

/**
 * Writes notifications with one multi-row INSERT per 1,000 (a commit batch's outcomes cost one statement,
 * not one per row) and returns them as written, in order. Ids follow from the statement's first id, as
 * the server hands out consecutive ids (MariaDB's default); a server that doesn't gets one row per INSERT.
 */
export async function insertNotifications(
  trx: Knex,
  items: readonly NewNotification[],
  now: Date,
): Promise<UserNotification[]> {
  if (items.length === 0) return [];
  const out: UserNotification[] = [];
  // A zero-row probe (cached after its first look at the server): are a statement's ids consecutive?
  const consecutive = (await insertedIds(trx, 0, 0)) !== undefined;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    const rows = chunk.map((n) => ({
      user_id: n.userId,
      kind: n.kind,
      code: n.code.slice(0, 64),
      message: n.message.slice(0, 512),
      params: JSON.stringify(n.params),
      link: JSON.stringify(n.link),
      created_at: now,
    }));
    const ids: number[] = [];
    if (consecutive) {
      const [firstId] = await trx('notifications').insert(rows);
      ids.push(...((await insertedIds(trx, firstId, rows.length)) ?? []));
    } else {
      // Interleaved ids (innodb_autoinc_lock_mode 2) can't be told apart: one statement per row there.
      for (const row of rows) ids.push(...(await trx('notifications').insert(row)));
    }
    if (ids.length !== rows.length) throw new Error('notifications insert returned no ids');
    chunk.forEach((n, j) =>
      out.push({
        userId: n.userId,
        view: {
          id: ids[j] as number,
          kind: n.kind,
          code: n.code.slice(0, 64),
          message: n.message.slice(0, 512),
          params: n.params,
          link: n.link,
          createdAt: now.toISOString(),
          readAt: null,
        },
      }),
    );
  }
  return out;
}

/** One notification, with the same view whether read from MySQL or built before the push. */
export async function insertNotification(
  trx: Knex,
  item: NewNotification,
  now: Date,
): Promise<UserNotification> {
  const [written] = await insertNotifications(trx, [item], now);
  return written as UserNotification;
}

export function toNotificationView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    code: row.code,
    message: row.message,
    params: (parseJson(row.params) as NotificationView['params'] | null) ?? {},
    link: (parseJson(row.link) as NotificationView['link'] | null) ?? {},
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at ? row.read_at.toISOString() : null,
  };
}
