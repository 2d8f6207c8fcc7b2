import { z } from 'zod';
import { idParams } from '../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { enrollmentViewSchema } from '../openapi/view-schemas.js';
import { idempotencyKeyHeader, queuedRequestResponses } from '../requests/queued-request-docs.js';
import { enrollmentBody } from './enrollment-routes.js';

/** The OpenAPI rows of enrollment-routes.ts, mounted at /api/enrollments. */
export const enrollmentRouteDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/enrollments',
    tag: 'enrollments',
    summary: 'Submit sections to enroll in (needs the room’s admission token); 202 with the request',
    security: 'admission',
    headers: [idempotencyKeyHeader],
    body: enrollmentBody,
    responses: queuedRequestResponses,
  },
  {
    method: 'GET',
    path: '/api/enrollments',
    tag: 'enrollments',
    summary: 'Your enrollments',
    security: 'bearer',
    responses: {
      200: {
        description: 'Your enrollments',
        schema: z.object({ enrollments: z.array(enrollmentViewSchema) }),
      },
      401: errors[401],
    },
  },
  {
    method: 'DELETE',
    path: '/api/enrollments/:id',
    tag: 'enrollments',
    summary: 'Drop an enrollment',
    security: 'bearer',
    params: idParams,
    responses: {
      200: {
        description: 'Dropped',
        schema: z.object({ dropped: z.number().int().positive(), sectionId: z.number().int().positive() }),
      },
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  },
];
