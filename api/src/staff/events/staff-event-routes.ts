import { Router } from 'express';
import type { Knex } from 'knex';
import { adminResourceRoutes } from '../catalog/admin-resource.js';
import { eventAdmin } from './event-admin.js';
import { seatAdminRoutes } from './seat-admin-routes.js';

/** /api/staff/events behind the staff role: events, and under each its seat map. */
export function staffEventRoutes(db: Knex): Router {
  const router = Router();
  // Before the events' own routes, so /:id/seats is never taken for an event path.
  router.use('/:id/seats', seatAdminRoutes(db));
  router.use('/', adminResourceRoutes(db, eventAdmin));
  return router;
}
