import { z } from 'zod';
import { errorResponse, errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';
import { catalogQuery, seatsQuery } from './import-routes.js';

const report = z.union([
  z.object({
    dryRun: z.literal(true),
    valid: z.boolean(),
    errors: z.array(z.looseObject({})),
    wouldImport: z.record(z.string(), z.number().int()),
  }),
  z.object({ dryRun: z.literal(false), imported: z.record(z.string(), z.number().int()) }),
]);
const refused = {
  400: errors[400],
  401: errors[401],
  403: errors[403],
  404: errors[404],
  409: errors[409],
  413: errors[413],
  415: errorResponse('The body is not text/csv'),
  422: errorResponse('Some lines are bad (each one is listed in details); nothing was written'),
};

/** The OpenAPI rows of import-routes.ts, mounted at /api/staff/imports. */
export const importRouteDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/staff/imports/catalog',
    tag: 'staff imports',
    summary: "Import a term's catalogue from CSV (dryRun=true reports and writes nothing)",
    security: 'staff',
    query: catalogQuery,
    body: z.string(),
    bodyContentType: 'text/csv',
    responses: { 200: { description: 'The report', schema: report }, ...refused },
  },
  {
    method: 'POST',
    path: '/api/staff/imports/seats',
    tag: 'staff imports',
    summary: "Import an event's seat map from CSV (dryRun=true reports and writes nothing)",
    security: 'staff',
    query: seatsQuery,
    body: z.string(),
    bodyContentType: 'text/csv',
    responses: { 200: { description: 'The report', schema: report }, ...refused },
  },
];
