import { z } from 'zod';
import { errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';
import { auditQuery } from './audit-input.js';

/** The OpenAPI rows of audit-routes.ts, mounted at /api/staff/audit. */
export const auditRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/staff/audit',
    tag: 'staff audit',
    summary: 'The audit log, newest first',
    security: 'staff',
    query: auditQuery,
    responses: {
      200: {
        description: 'A page',
        schema: z.object({
          entries: z.array(z.looseObject({ id: z.number().int() })),
          nextBefore: z.number().int().nullable(),
        }),
      },
      400: errors[400],
      401: errors[401],
      403: errors[403],
    },
  },
];
