import { Router } from 'express';
import { NotFoundError } from '../../../../core/errors.js';
import { parseInput } from '../../../../core/http/validate.js';
import { idParams } from '../../../../core/http/id-params.js';
import { lookupQuery } from './lookup-input.js';
import { findPeople } from './lookup-read-model.js';
import { personStory, type PersonStoryDeps } from './person-story.js';

/** /api/staff/lookup: support finds a student or buyer, then reads their whole story. Read-only. */
export function staffLookupRoutes(deps: PersonStoryDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { q } = parseInput(lookupQuery, req.query, 'query');
    res.json({ people: await findPeople(deps.db, q) });
  });
  router.get('/users/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const story = await personStory(deps, id);
    if (!story) throw new NotFoundError('USER_NOT_FOUND', `No user ${id}`);
    res.json(story);
  });
  return router;
}
