import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.js';
import { parseInput } from '../../../core/http/validate.js';
import { findUserProfile } from '../users/user-store.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** Staff look-ups of any account (the staff console builds on these). */
export function staffUserRoutes(db: Knex): Router {
  const router = Router();
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const profile = await findUserProfile(db, id);
    if (!profile) throw new NotFoundError('USER_NOT_FOUND', `No user ${id}`);
    res.json(profile);
  });
  return router;
}
