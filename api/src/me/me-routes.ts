import { Router } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../../../core/auth/require-auth.js';
import { NotFoundError } from '../../../core/errors.js';
import { findUserProfile } from '../users/user-store.js';

export function meRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const profile = await findUserProfile(db, currentUser(req).id);
    if (!profile) throw new NotFoundError('USER_NOT_FOUND', 'Your account no longer exists');
    res.json(profile);
  });
  return router;
}
