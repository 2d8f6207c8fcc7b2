import { Router } from 'express';
import type { Knex } from 'knex';
import { parseInput } from '../../../../core/http/validate.js';
import { auditQuery } from './audit-input.js';
import { auditPage } from './audit-read-model.js';

/** /api/staff/audit: read-only; the log is written by each change's own transaction. */
export function staffAuditRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await auditPage(db, parseInput(auditQuery, req.query, 'query')));
  });
  return router;
}
