import { z } from 'zod';
import { idParams } from '../../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';
import { adminResourceDocs, ifMatchHeader } from '../catalog/admin-resource-docs.js';
import { eventRowSchema, seatRowSchema, staffPageOf } from '../catalog/staff-row-schemas.js';
import { eventAdmin } from './event-admin.js';
import { seatCreateBody, seatListQuery, seatParams, seatPatchBody } from './seat-admin-routes.js';

const seat = { description: 'The seat, with ETag', schema: seatRowSchema };
const refused = { 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] };

/** The OpenAPI rows of staff-event-routes.ts and seat-admin-routes.ts, mounted at /api/staff/events. */
export const staffEventRouteDocs: RouteDoc[] = [
  ...adminResourceDocs('/api/staff/events', 'staff events', eventAdmin, eventRowSchema),
  {
    method: 'GET',
    path: '/api/staff/events/:id/seats',
    tag: 'staff events',
    summary: "An event's seats (a whole arena fits one page)",
    security: 'staff',
    params: idParams,
    query: seatListQuery,
    responses: { 200: { description: 'A page', schema: staffPageOf(seatRowSchema) }, ...refused },
  },
  {
    method: 'GET',
    path: '/api/staff/events/:id/seats/:seatId',
    tag: 'staff events',
    summary: 'One seat',
    security: 'staff',
    params: seatParams,
    responses: { 200: seat, ...refused },
  },
  {
    method: 'POST',
    path: '/api/staff/events/:id/seats',
    tag: 'staff events',
    summary: 'Add a seat (not once the sale has reserved seats)',
    security: 'staff',
    params: idParams,
    body: seatCreateBody,
    responses: { 201: seat, ...refused, 409: errors[409] },
  },
  {
    method: 'PATCH',
    path: '/api/staff/events/:id/seats/:seatId',
    tag: 'staff events',
    summary: 'Change a seat (If-Match)',
    security: 'staff',
    params: seatParams,
    headers: [ifMatchHeader],
    body: seatPatchBody,
    responses: { 200: seat, ...refused, 409: errors[409], 428: errors[428] },
  },
  {
    method: 'DELETE',
    path: '/api/staff/events/:id/seats/:seatId',
    tag: 'staff events',
    summary: 'Remove a seat never reserved (If-Match)',
    security: 'staff',
    params: seatParams,
    headers: [ifMatchHeader],
    responses: { 204: { description: 'Removed' }, ...refused, 409: errors[409], 428: errors[428] },
  },
];

export const seatParamsShape = z.object({});
