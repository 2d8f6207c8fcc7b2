import { Router } from 'express';
import type { Knex } from 'knex';
import { NotFoundError } from '../../../core/errors.js';
import { idParams } from '../../../core/http/id-params.js';
import { parseInput } from '../../../core/http/validate.js';
import { findEventView, listEventViews, readSeatMap } from './event-read-model.js';

/**
 * Public (no sign-in): what is on sale and where the seats are. GET /api/events, GET /api/events/:id,
 * GET /api/events/:id/seats (every seat with its place and status; follow it live with `watch:event`).
 */
export function eventRoutes(deps: { db: Knex; currency: string }): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ events: await listEventViews(deps.db, deps.currency) });
  });
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const view = await findEventView(deps.db, id, deps.currency);
    if (!view) throw new NotFoundError('EVENT_NOT_FOUND', `No event ${id}`);
    res.json(view);
  });
  router.get('/:id/seats', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const map = await readSeatMap(deps.db, id);
    if (!map) throw new NotFoundError('EVENT_NOT_FOUND', `No event ${id}`);
    res.json(map);
  });
  return router;
}
