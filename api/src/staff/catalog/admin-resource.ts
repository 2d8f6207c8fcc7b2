import { Router } from 'express';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { writeAudit } from '../../../../core/audit.js';
import { currentUser } from '../../../../core/auth/require-auth.js';
import { isDbErrorCode } from '../../../../core/db.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../../../core/errors.js';
import { idParams } from '../../../../core/http/id-params.js';
import { expectedVersion, sendWithVersion, updateIfVersion } from '../../../../core/http/row-version.js';
import { parseInput } from '../../../../core/http/validate.js';
import type { Page } from './admin-page.js';

export interface Versioned {
  id: number;
  version: number;
}

/**
 * One staff-editable table: its schemas and its SQL. The router below gives every resource the same
 * shape (list, read with ETag, create, patch with If-Match, delete with If-Match), each change audited
 * in its own transaction, so the six catalog tables differ only in what they store and what they refuse.
 */
export interface AdminResource<
  Dto extends Versioned,
  Q extends z.ZodType,
  C extends z.ZodType,
  P extends z.ZodType,
> {
  /** Audit entity and the prefix of its not-found code, e.g. 'term' → TERM_NOT_FOUND. */
  entity: string;
  table: string;
  query: Q;
  create: C;
  patch: P;
  list(db: Knex, query: z.output<Q>): Promise<Page<Dto>>;
  /** `lock` takes the row FOR UPDATE, so the checks made on it hold until the transaction ends. */
  find(db: Knex, id: number, lock?: boolean): Promise<Dto | undefined>;
  insert(trx: Knex, input: z.output<C>): Promise<number>;
  /** Refuses (throws) or returns the column changes; the row is locked and its version already checked. */
  changes(trx: Knex, before: Dto, input: z.output<P>): Promise<Record<string, unknown>>;
  /** Writes what lives outside the row (a section's meetings), after the row itself. */
  afterUpdate?(trx: Knex, id: number, input: z.output<P>): Promise<void>;
  /** Refuses (throws) when the row can't go; the row is locked. */
  checkDelete(trx: Knex, before: Dto): Promise<void>;
}

/** What the schema refuses, said as the API's own errors instead of a 500. */
async function mapDbErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isDbErrorCode(err, 'ER_DUP_ENTRY'))
      throw new ConflictError('DUPLICATE', 'Another row already has this code or number');
    if (isDbErrorCode(err, 'ER_NO_REFERENCED_ROW_2'))
      throw new UnprocessableError('UNKNOWN_REFERENCE', 'A referenced id does not exist');
    if (isDbErrorCode(err, 'ER_ROW_IS_REFERENCED_2'))
      throw new ConflictError('IN_USE', 'Something else still refers to this row');
    throw err;
  }
}

export function adminResourceRoutes<
  Dto extends Versioned,
  Q extends z.ZodType,
  C extends z.ZodType,
  P extends z.ZodType,
>(db: Knex, def: AdminResource<Dto, Q, C, P>): Router {
  const router = Router();
  const notFound = (id: number) =>
    new NotFoundError(`${def.entity.toUpperCase()}_NOT_FOUND`, `No ${def.entity} ${id}`);

  /** Locks the row and checks the client's version before any rule, so a stale edit is always a 409. */
  async function lockAt(trx: Knex, id: number, expected: number): Promise<Dto> {
    const before = await def.find(trx, id, true);
    if (!before) throw notFound(id);
    if (before.version !== expected) await updateIfVersion(trx, def.table, id, expected, {});
    return before;
  }

  router.get('/', async (req, res) => {
    res.json(await def.list(db, parseInput(def.query, req.query, 'query')));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const row = await def.find(db, id);
    if (!row) throw notFound(id);
    sendWithVersion(res, row);
  });

  router.post('/', async (req, res) => {
    const actorUserId = currentUser(req).id;
    const input = parseInput(def.create, req.body);
    const created = await mapDbErrors(() =>
      db.transaction(async (trx) => {
        const id = await def.insert(trx, input);
        const after = await def.find(trx, id);
        if (!after) throw new Error(`${def.table} ${id} vanished inside its own insert`);
        await writeAudit(trx, { actorUserId, entity: def.entity, entityId: id, action: 'create', after });
        return after;
      }),
    );
    res.status(201).location(`${req.baseUrl}/${created.id}`);
    sendWithVersion(res, created);
  });

  router.patch('/:id', async (req, res) => {
    const actorUserId = currentUser(req).id;
    const { id } = parseInput(idParams, req.params, 'path');
    const expected = expectedVersion(req);
    const input = parseInput(def.patch, req.body);
    const updated = await mapDbErrors(() =>
      db.transaction(async (trx) => {
        const before = await lockAt(trx, id, expected);
        const changes = await def.changes(trx, before, input);
        // A field the patch left out comes back undefined: leave that column as it is.
        const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
        await updateIfVersion(trx, def.table, id, expected, set);
        await def.afterUpdate?.(trx, id, input);
        const after = await def.find(trx, id);
        if (!after) throw new Error(`${def.table} ${id} vanished inside its own update`);
        await writeAudit(trx, {
          actorUserId,
          entity: def.entity,
          entityId: id,
          action: 'update',
          before,
          after,
        });
        return after;
      }),
    );
    sendWithVersion(res, updated);
  });

  router.delete('/:id', async (req, res) => {
    const actorUserId = currentUser(req).id;
    const { id } = parseInput(idParams, req.params, 'path');
    const expected = expectedVersion(req);
    await mapDbErrors(() =>
      db.transaction(async (trx) => {
        const before = await lockAt(trx, id, expected);
        await def.checkDelete(trx, before);
        await trx(def.table).where({ id }).delete();
        await writeAudit(trx, { actorUserId, entity: def.entity, entityId: id, action: 'delete', before });
      }),
    );
    res.status(204).end();
  });

  return router;
}

/** A patch body must change something; an empty one is almost always a client bug. */
export const nonEmpty = (body: Record<string, unknown>) => Object.keys(body).length > 0;
