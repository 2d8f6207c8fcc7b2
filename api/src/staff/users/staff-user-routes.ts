import { Router } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../../../../core/auth/require-auth.js';
import { NotFoundError } from '../../../../core/errors.js';
import { expectedVersion, sendWithVersion } from '../../../../core/http/row-version.js';
import { parseInput } from '../../../../core/http/validate.js';
import { idParams } from '../../../../core/http/id-params.js';
import { createUserBody, passwordBody, updateUserBody, userListQuery } from './staff-user-input.js';
import { createUser, resetPassword, updateUser } from './staff-user-service.js';
import { findStaffUser, listStaffUsers } from './staff-user-store.js';

/** /api/staff/users: accounts for the office (mounted behind requireRole('staff')). */
export function staffUserRoutes(db: Knex): Router {
  const router = Router();
  const sendUser = async (res: Parameters<typeof sendWithVersion>[0], id: number, status = 200) => {
    const user = await findStaffUser(db, id);
    if (!user) throw new NotFoundError('USER_NOT_FOUND', `No user ${id}`);
    res.status(status);
    sendWithVersion(res, user);
  };

  router.get('/', async (req, res) => {
    res.json(await listStaffUsers(db, parseInput(userListQuery, req.query, 'query')));
  });
  router.post('/', async (req, res) => {
    const body = parseInput(createUserBody, req.body);
    const id = await createUser(db, currentUser(req).id, body);
    res.location(`${req.baseUrl}/${id}`);
    await sendUser(res, id, 201);
  });
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    await sendUser(res, id);
  });
  router.patch('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const expected = expectedVersion(req);
    await updateUser(db, currentUser(req).id, id, expected, parseInput(updateUserBody, req.body));
    await sendUser(res, id);
  });
  router.post('/:id/password', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const expected = expectedVersion(req);
    const { password } = parseInput(passwordBody, req.body);
    await resetPassword(db, currentUser(req).id, id, expected, password);
    await sendUser(res, id);
  });
  return router;
}
