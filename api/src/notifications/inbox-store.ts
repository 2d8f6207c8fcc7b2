import type { Knex } from 'knex';
import { toNotificationView, type NotificationRow } from '../../../core/notifications/notification-store.js';
import type { NotificationView } from '../../../core/views/notification-views.js';

/** A person's notifications, newest first, paged with `beforeId` (served by the (user_id, id) index). */
export async function listNotifications(
  db: Knex,
  userId: number,
  opts: { limit: number; beforeId?: number },
): Promise<NotificationView[]> {
  const q = db<NotificationRow>('notifications')
    .where({ user_id: userId })
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.beforeId !== undefined) void q.andWhere('id', '<', opts.beforeId);
  return (await q).map(toNotificationView);
}

/** Served from the (user_id, read_at) index alone. */
export async function countUnread(db: Knex, userId: number): Promise<number> {
  const [row] = await db('notifications')
    .where({ user_id: userId })
    .whereNull('read_at')
    .count<{ n: number | string }[]>('* as n');
  return Number(row?.n ?? 0);
}

/**
 * Marks the person's own notifications read: the ids given (others' ids, or ones already read, are
 * left alone without a word: ids are not secrets to confirm) or all of them. Returns how many changed.
 */
export async function markRead(
  db: Knex,
  userId: number,
  which: { ids: number[] } | { all: true },
  now = new Date(),
): Promise<number> {
  const q = db('notifications').where({ user_id: userId }).whereNull('read_at');
  if ('ids' in which) void q.whereIn('id', which.ids);
  return q.update({ read_at: now });
}
