import { z } from 'zod';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { queuedRequestSchema } from '../openapi/view-schemas.js';

/** The header every queued submission and payment needs (idempotency-key.ts). */
export const idempotencyKeyHeader: NonNullable<RouteDoc['headers']>[number] = {
  name: 'Idempotency-Key',
  required: true,
  description: 'The same key again answers with the same request, never a second one',
  schema: z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/),
};

/** What POST /api/enrollments and /api/reservations share (queued-request-handler.ts). */
export const queuedRequestResponses: RouteDoc['responses'] = {
  202: {
    description: 'Recorded and queued; the outcome follows (GET /api/requests/{id}, or a push)',
    schema: queuedRequestSchema,
  },
  400: errors[400],
  401: errors[401],
  403: errors[403],
  404: errors[404],
  409: errors[409],
  422: errors[422],
  429: errors[429],
  503: errors[503],
};
