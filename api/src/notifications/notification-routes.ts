import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { currentUser } from '../../../core/auth/require-auth.js';
import { pageQuery } from '../../../core/http/page-query.js';
import { parseInput } from '../../../core/http/validate.js';
import type { NotificationPage } from '../../../core/views/notification-views.js';
import { countUnread, listNotifications, markRead } from './inbox-store.js';

// Unknown parameters are refused: a misspelt `befor=` would otherwise quietly answer with page one.
export { pageQuery };
export const readBody = z.union([
  z.strictObject({
    ids: z
      .array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
      .min(1)
      .max(500, 'at most 500 at once; use { all: true } for everything'),
  }),
  z.strictObject({ all: z.literal(true) }),
]);

/**
 * The signed-in person's own notifications (mounted behind requireAuth at /api/me/notifications):
 * GET / (newest first, with the unread count), GET /unread, POST /read { ids } | { all: true }.
 */
export function notificationRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseInput(pageQuery, req.query, 'query');
    const userId = currentUser(req).id;
    const [notifications, unread] = await Promise.all([
      listNotifications(db, userId, { limit: q.limit, beforeId: q.before }),
      countUnread(db, userId),
    ]);
    const last = notifications.at(-1);
    const page: NotificationPage = {
      notifications,
      unread,
      next: notifications.length === q.limit && last ? `?before=${last.id}&limit=${q.limit}` : null,
    };
    res.json(page);
  });
  router.get('/unread', async (req, res) => {
    res.json({ unread: await countUnread(db, currentUser(req).id) });
  });
  router.post('/read', async (req, res) => {
    const body = parseInput(readBody, req.body);
    const userId = currentUser(req).id;
    await markRead(db, userId, body);
    res.json({ unread: await countUnread(db, userId) });
  });
  return router;
}
