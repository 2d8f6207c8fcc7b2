import { Router } from 'express';
import type { Knex } from 'knex';
import { NotFoundError } from '../../../core/errors.js';
import { parseInput } from '../../../core/http/validate.js';
import { idParams } from '../../../core/http/id-params.js';
import { sectionQuery, termParams } from './catalog-params.js';
import { findSectionView, listMajors, listTerms, sectionPage } from './catalog-read-model.js';

const noSuchTerm = (termId: number) => new NotFoundError('TERM_NOT_FOUND', `No term ${termId}`);

/** /api/terms: public, like the waiting room's room list; the catalogue is no secret. */
export function termRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ terms: await listTerms(db) });
  });
  router.get('/:termId/majors', async (req, res) => {
    const { termId } = parseInput(termParams, req.params, 'path');
    const majors = await listMajors(db, termId);
    if (!majors) throw noSuchTerm(termId);
    res.json({ majors });
  });
  router.get('/:termId/sections', async (req, res) => {
    const { termId } = parseInput(termParams, req.params, 'path');
    const page = await sectionPage(db, termId, parseInput(sectionQuery, req.query, 'query'));
    if (!page) throw noSuchTerm(termId);
    res.json(page);
  });
  return router;
}

/** /api/sections/:id, public. */
export function sectionRoutes(db: Knex): Router {
  const router = Router();
  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const section = await findSectionView(db, id);
    if (!section) throw new NotFoundError('SECTION_NOT_FOUND', `No section ${id}`);
    res.json(section);
  });
  return router;
}
