import { z } from 'zod';
import { idParams } from '../../../core/http/id-params.js';
import { errorResponse, errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { paymentViewSchema, reservationViewSchema } from '../openapi/view-schemas.js';
import { idempotencyKeyHeader, queuedRequestResponses } from '../requests/queued-request-docs.js';
import { listQuery, payBody, reservationBody } from './reservation-routes.js';

const paid = z.object({ reservation: reservationViewSchema, payment: paymentViewSchema.nullable() });

/** The OpenAPI rows of reservation-routes.ts (/api/reservations, /api/me/reservations). */
export const reservationRouteDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/reservations',
    tag: 'reservations',
    summary: 'Reserve chosen seats or the best available (needs the admission token); 202 with the request',
    security: 'admission',
    headers: [idempotencyKeyHeader],
    body: reservationBody,
    responses: queuedRequestResponses,
  },
  {
    method: 'GET',
    path: '/api/reservations/:id',
    tag: 'reservations',
    summary: 'One of your reservations, with its payments',
    security: 'bearer',
    params: idParams,
    responses: {
      200: { description: 'The reservation', schema: reservationViewSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  },
  {
    method: 'POST',
    path: '/api/reservations/:id/pay',
    tag: 'reservations',
    summary: 'Pay a held reservation',
    security: 'bearer',
    params: idParams,
    headers: [idempotencyKeyHeader],
    body: payBody,
    responses: {
      200: { description: 'Paid', schema: paid },
      202: {
        description: "The provider's answer is not known yet; the reservation stays held",
        schema: paid,
      },
      400: errors[400],
      401: errors[401],
      402: errorResponse('The payment was declined'),
      404: errors[404],
      409: errors[409],
    },
  },
  {
    method: 'DELETE',
    path: '/api/reservations/:id',
    tag: 'reservations',
    summary: 'Cancel a reservation (refunded if paid)',
    security: 'bearer',
    params: idParams,
    responses: {
      200: {
        description: 'Cancelled',
        schema: z.object({
          reservation: reservationViewSchema,
          refund: z.enum(['none', 'refunded', 'pending']).describe('pending: the refund will be retried'),
        }),
      },
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  },
  {
    method: 'GET',
    path: '/api/me/reservations',
    tag: 'reservations',
    summary: 'Your reservations, newest first, paged with ?before=',
    security: 'bearer',
    query: listQuery,
    responses: {
      200: {
        description: 'A page',
        schema: z.object({ reservations: z.array(reservationViewSchema), next: z.string().nullable() }),
      },
      400: errors[400],
      401: errors[401],
    },
  },
];
