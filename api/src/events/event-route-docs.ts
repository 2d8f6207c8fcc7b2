import { z } from 'zod';
import { idParams } from '../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { eventViewSchema, seatMapViewSchema } from '../openapi/view-schemas.js';

/** The OpenAPI rows of event-routes.ts, mounted at /api/events: public. */
export const eventRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/events',
    tag: 'events',
    summary: 'What is on sale',
    security: 'public',
    responses: { 200: { description: 'The events', schema: z.object({ events: z.array(eventViewSchema) }) } },
  },
  {
    method: 'GET',
    path: '/api/events/:id',
    tag: 'events',
    summary: 'One event with its zones',
    security: 'public',
    params: idParams,
    responses: {
      200: { description: 'The event', schema: eventViewSchema },
      400: errors[400],
      404: errors[404],
    },
  },
  {
    method: 'GET',
    path: '/api/events/:id/seats',
    tag: 'events',
    summary: 'Every seat with its place and status (follow it live with watch:event)',
    security: 'public',
    params: idParams,
    responses: {
      200: { description: 'The seat map', schema: seatMapViewSchema },
      400: errors[400],
      404: errors[404],
    },
  },
];
