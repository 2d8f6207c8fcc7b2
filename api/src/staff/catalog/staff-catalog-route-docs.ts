import type { RouteDoc } from '../../../../core/openapi/route-doc.js';
import { adminResourceDocs } from './admin-resource-docs.js';
import { courseAdmin } from './course-admin.js';
import { majorAdmin } from './major-admin.js';
import { professorAdmin } from './professor-admin.js';
import { sectionAdmin } from './section-admin.js';
import { termAdmin } from './term-admin.js';
import {
  courseRowSchema,
  majorRowSchema,
  professorRowSchema,
  sectionRowSchema,
  termRowSchema,
  windowRowSchema,
} from './staff-row-schemas.js';
import { windowAdmin } from './window-admin.js';

/** The OpenAPI rows of staff-catalog-routes.ts, mounted at /api/staff. */
export const staffCatalogRouteDocs: RouteDoc[] = [
  ...adminResourceDocs('/api/staff/terms', 'staff catalog', termAdmin, termRowSchema),
  ...adminResourceDocs('/api/staff/majors', 'staff catalog', majorAdmin, majorRowSchema),
  ...adminResourceDocs('/api/staff/professors', 'staff catalog', professorAdmin, professorRowSchema),
  ...adminResourceDocs('/api/staff/courses', 'staff catalog', courseAdmin, courseRowSchema),
  ...adminResourceDocs('/api/staff/sections', 'staff catalog', sectionAdmin, sectionRowSchema),
  ...adminResourceDocs('/api/staff/windows', 'staff catalog', windowAdmin, windowRowSchema),
];
