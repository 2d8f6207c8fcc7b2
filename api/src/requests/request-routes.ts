import { Router } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../../../core/auth/require-auth.js';
import { NotFoundError } from '../../../core/errors.js';
import { parseInput } from '../../../core/http/validate.js';
import { idParams } from '../../../core/http/id-params.js';
import { pageQuery } from '../../../core/http/page-query.js';
import { findRequest, listUserRequests, toRequestView } from '../../../core/requests/request-store.js';

export const listQuery = pageQuery;

/** GET /api/requests/:id — one of your own requests (others' are 404, not 403: ids are not secrets to confirm). */
export function requestRoutes(db: Knex): Router {
  const router = Router();
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const row = await findRequest(db, id);
    if (!row || row.user_id !== currentUser(req).id)
      throw new NotFoundError('REQUEST_NOT_FOUND', `You have no request ${id}`);
    res.json(toRequestView(row));
  });
  return router;
}

/** GET /api/me/requests — your requests, newest first, paged with ?before=<id>. */
export function myRequestRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const rows = await listUserRequests(db, currentUser(req).id, { limit: q.limit, beforeId: q.before });
    const last = rows.at(-1);
    res.json({
      requests: rows.map(toRequestView),
      next: rows.length === q.limit && last ? `?before=${last.id}&limit=${q.limit}` : null,
    });
  });
  return router;
}
