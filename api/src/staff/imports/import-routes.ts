import express, { Router, type Request } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { currentUser } from '../../../../core/auth/require-auth.js';
import { writeAudit } from '../../../../core/audit.js';
import { retryOnLockConflict } from '../../../../core/db-retry.js';
import { AppError, NotFoundError } from '../../../../core/errors.js';
import { decimalId } from '../../../../core/http/decimal-id.js';
import { parseInput } from '../../../../core/http/validate.js';
import { planCatalog } from './catalog-file.js';
import { checkCatalogAgainstDb, countsOf, termExists, writeCatalog } from './catalog-import-store.js';
import { invalidImport, sortErrors, type LineError } from './import-report.js';
import { planSeats } from './seats-file.js';
import { assertSeatMapEditable, countSeats, writeSeats } from './seats-import-store.js';

class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
}

const dryRun = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');
export const catalogQuery = z.object({ termId: decimalId, dryRun }).strict();
export const seatsQuery = z.object({ eventId: decimalId, dryRun }).strict();

/** The CSV body; express.json ignores text/csv, and only these routes accept a body this large. */
const csvBody = express.text({ type: 'text/csv', limit: '5mb' });

function csvOf(req: Request): string {
  if (typeof req.body !== 'string')
    throw new UnsupportedMediaTypeError(
      'CSV_REQUIRED',
      'Send the file as the body with Content-Type: text/csv',
    );
  return req.body;
}

/** Bulk imports (staff only): a dry run reports every bad line and writes nothing; a real run is all or nothing. */
export function importRoutes(db: Knex): Router {
  const router = Router();

  router.post('/catalog', csvBody, async (req, res) => {
    const q = parseInput(catalogQuery, req.query, 'query');
    const csv = csvOf(req);
    if (!(await termExists(db, q.termId))) throw new NotFoundError('TERM_NOT_FOUND', `No term ${q.termId}`);
    const errors: LineError[] = [];
    const plan = planCatalog(csv, errors);
    const counts = countsOf(plan);
    if (q.dryRun) {
      await checkCatalogAgainstDb(db, q.termId, plan, errors, false);
      res.json({ dryRun: true, valid: errors.length === 0, errors: sortErrors(errors), wouldImport: counts });
      return;
    }
    if (errors.length > 0) throw invalidImport(errors);
    const actor = currentUser(req).id;
    // Retried whole on a deadlock or lock timeout (an enrollment committing into one of these sections).
    await retryOnLockConflict(() =>
      db.transaction(async (trx) => {
        await checkCatalogAgainstDb(trx, q.termId, plan, errors, true);
        if (errors.length > 0) throw invalidImport(errors);
        await writeCatalog(trx, q.termId, plan);
        await writeAudit(trx, {
          actorUserId: actor,
          entity: 'import',
          entityId: `catalog:term:${q.termId}`,
          action: 'import_catalog',
          after: { kind: 'catalog', termId: q.termId, ...counts },
        });
      }),
    );
    res.json({ dryRun: false, imported: counts });
  });

  router.post('/seats', csvBody, async (req, res) => {
    const q = parseInput(seatsQuery, req.query, 'query');
    const csv = csvOf(req);
    await assertSeatMapEditable(db, q.eventId, false);
    const errors: LineError[] = [];
    const seats = planSeats(csv, errors);
    if (q.dryRun) {
      res.json({
        dryRun: true,
        valid: errors.length === 0,
        errors: sortErrors(errors),
        wouldImport: { seats: seats.length },
      });
      return;
    }
    if (errors.length > 0) throw invalidImport(errors);
    const actor = currentUser(req).id;
    await retryOnLockConflict(() =>
      db.transaction(async (trx) => {
        await assertSeatMapEditable(trx, q.eventId, true);
        const before = await countSeats(trx, q.eventId);
        await writeSeats(trx, q.eventId, seats);
        await writeAudit(trx, {
          actorUserId: actor,
          entity: 'import',
          entityId: `seats:event:${q.eventId}`,
          action: 'import_seats',
          before: { seats: before },
          after: {
            kind: 'seats',
            eventId: q.eventId,
            seats: seats.length,
            total: await countSeats(trx, q.eventId),
          },
        });
      }),
    );
    res.json({ dryRun: false, imported: { seats: seats.length } });
  });

  return router;
}
