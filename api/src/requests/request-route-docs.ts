import { idParams } from '../../../core/http/id-params.js';
import { requestViewSchema } from '../../../core/openapi/request-view-schema.js';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { requestListSchema } from '../openapi/view-schemas.js';
import { listQuery } from './request-routes.js';

/** The OpenAPI rows of request-routes.ts (/api/requests, /api/me/requests). */
export const requestRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/requests/:id',
    tag: 'requests',
    summary: 'One of your requests and its outcome (others’ are 404)',
    security: 'bearer',
    params: idParams,
    responses: {
      200: { description: 'The request', schema: requestViewSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  },
  {
    method: 'GET',
    path: '/api/me/requests',
    tag: 'requests',
    summary: 'Your requests, newest first, paged with ?before=',
    security: 'bearer',
    query: listQuery,
    responses: {
      200: { description: 'A page', schema: requestListSchema },
      400: errors[400],
      401: errors[401],
    },
  },
];
