import { Router } from 'express';
import type { Knex } from 'knex';
import { adminResourceRoutes } from './admin-resource.js';
import { courseAdmin } from './course-admin.js';
import { majorAdmin } from './major-admin.js';
import { professorAdmin } from './professor-admin.js';
import { sectionAdmin } from './section-admin.js';
import { termAdmin } from './term-admin.js';
import { windowAdmin } from './window-admin.js';

/**
 * Catalog administration, mounted at /api/staff behind the staff role: terms, majors, professors,
 * courses, sections (with their meetings) and registration windows.
 */
export function staffCatalogRoutes(db: Knex): Router {
  const router = Router();
  router.use('/terms', adminResourceRoutes(db, termAdmin));
  router.use('/majors', adminResourceRoutes(db, majorAdmin));
  router.use('/professors', adminResourceRoutes(db, professorAdmin));
  router.use('/courses', adminResourceRoutes(db, courseAdmin));
  router.use('/sections', adminResourceRoutes(db, sectionAdmin));
  router.use('/windows', adminResourceRoutes(db, windowAdmin));
  return router;
}
