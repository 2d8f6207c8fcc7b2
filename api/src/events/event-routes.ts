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
export function eventRoutes(deps: { db: Knex; readDb?: Knex; currency: string }): Router {
  const router = Router();
  // What is on sale may be a moment behind (ADR 022). The seat map may not: live changes are applied on
  // top of it, and a change that happened before a stale map was read would never show (ADR 010).
  const readDb = deps.readDb ?? deps.db;
  router.get('/', async (_req, res) => {
    res.json({ events: await listEventViews(readDb, deps.currency) });
  });
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const view = await findEventView(readDb, id, deps.currency);
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
