import { Router } from 'express';
import type { Knex } from 'knex';
import { NotFoundError } from '../../../../core/errors.js';
import { idParams } from '../../../../core/http/id-params.js';
import { parseInput } from '../../../../core/http/validate.js';
import { sendCsv } from './csv-write.js';
import {
  ROSTER_HEADER,
  sectionRosterRows,
  TERM_ENROLLMENTS_HEADER,
  termEnrollmentRows,
} from './enrollment-export-read-model.js';
import { eventSalesRows, SALES_HEADER } from './sales-export-read-model.js';

/** 404 before the first byte: once a CSV starts streaming, its status can't change any more. */
async function mustExist(db: Knex, table: string, id: number, code: string): Promise<void> {
  if (!(await db(table).where({ id }).first('id')))
    throw new NotFoundError(code, `No ${table.slice(0, -1)} ${id}`);
}

/** CSV downloads for staff (rosters, a term's enrollments, an event's sales), streamed in keyset batches. */
export function exportRoutes(db: Knex): Router {
  const router = Router();

  router.get('/sections/:id/roster.csv', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    await mustExist(db, 'sections', id, 'SECTION_NOT_FOUND');
    await sendCsv(res, `section-${id}-roster.csv`, ROSTER_HEADER, sectionRosterRows(db, id));
  });

  router.get('/terms/:id/enrollments.csv', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    await mustExist(db, 'terms', id, 'TERM_NOT_FOUND');
    await sendCsv(res, `term-${id}-enrollments.csv`, TERM_ENROLLMENTS_HEADER, termEnrollmentRows(db, id));
  });

  router.get('/events/:id/sales.csv', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    await mustExist(db, 'events', id, 'EVENT_NOT_FOUND');
    await sendCsv(res, `event-${id}-sales.csv`, SALES_HEADER, eventSalesRows(db, id));
  });

  return router;
}
