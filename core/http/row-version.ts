import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { BadRequestError, ConflictError, NotFoundError, PreconditionRequiredError } from '../errors.js';

/**
 * Optimistic concurrency for what staff edit: every editable row has `version` (starts at 1, +1 on each
 * change). A read answers `ETag: "v<version>"` (and `version` in the body); a change must send
 * `If-Match: "v<version>"` and is refused with 409 VERSION_CONFLICT when the row has moved on, so two
 * staff editing one row never overwrite each other silently.
 */
export const etagOf = (version: number): string => `"v${version}"`;

export function sendWithVersion(res: Response, body: { version: number }): void {
  res.setHeader('ETag', etagOf(body.version));
  res.json(body);
}

/** The version the client last saw, from If-Match; 428 when missing, 400 when not one of ours. */
export function expectedVersion(req: Request): number {
  const header = req.get('if-match');
  if (!header) {
    throw new PreconditionRequiredError(
      'IF_MATCH_REQUIRED',
      'Send If-Match with the ETag you read, so a change never overwrites one you have not seen',
    );
  }
  const m = /^(?:W\/)?"v([1-9][0-9]{0,9})"$/.exec(header.trim());
  if (!m)
    throw new BadRequestError('IF_MATCH_INVALID', 'If-Match must be an ETag this server gave, like "v3"');
  return Number(m[1]);
}

/**
 * Updates one row only if it still has the expected version, bumping it; in the caller's transaction.
 * 404 when the row is gone, 409 VERSION_CONFLICT (with the current version) when someone changed it first.
 */
export async function updateIfVersion(
  trx: Knex,
  table: string,
  id: number,
  expected: number,
  changes: Record<string, unknown>,
): Promise<void> {
  const updated = await trx(table)
    .where({ id, version: expected })
    .update({ ...changes, version: trx.raw('version + 1') });
  if (updated === 1) return;
  const row = await trx(table).where({ id }).first<{ version: number } | undefined>('version');
  if (!row) throw new NotFoundError('NOT_FOUND', `No ${table} row ${id}`);
  throw new ConflictError(
    'VERSION_CONFLICT',
    `Someone changed this since you read it (now version ${row.version}, you had ${expected}); read it again`,
    { currentVersion: row.version },
  );
}
