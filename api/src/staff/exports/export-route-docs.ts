import { idParams } from '../../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';

const csv = (what: string, path: string): RouteDoc => ({
  method: 'GET',
  path,
  tag: 'staff exports',
  summary: `Download ${what} as CSV (streamed)`,
  security: 'staff',
  params: idParams,
  responses: {
    200: { description: 'The CSV file', contentType: 'text/csv' },
    400: errors[400],
    401: errors[401],
    403: errors[403],
    404: errors[404],
  },
});

/** The OpenAPI rows of export-routes.ts, mounted at /api/staff/exports. */
export const exportRouteDocs: RouteDoc[] = [
  csv("a section's roster", '/api/staff/exports/sections/:id/roster.csv'),
  csv("a term's enrollments", '/api/staff/exports/terms/:id/enrollments.csv'),
  csv("an event's sales", '/api/staff/exports/events/:id/sales.csv'),
];
