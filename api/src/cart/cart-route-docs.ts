import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { cartViewSchema, timetableViewSchema } from '../openapi/view-schemas.js';
import { cartBody, cartItemParams, cartQuery, timetableQuery } from './cart-params.js';

/** The OpenAPI rows of cart-routes.ts (/api/me/cart, /api/me/timetable). */
export const cartRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/me/cart',
    tag: 'cart',
    summary: 'Your cart for a term, each item with what deserves a second look',
    security: 'bearer',
    query: cartQuery,
    responses: {
      200: { description: 'The cart', schema: cartViewSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  },
  {
    method: 'POST',
    path: '/api/me/cart',
    tag: 'cart',
    summary: 'Add a section (no admission needed); answers with the whole cart',
    security: 'bearer',
    body: cartBody,
    responses: {
      200: { description: 'Already in the cart', schema: cartViewSchema },
      201: { description: 'Added', schema: cartViewSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
      409: errors[409],
    },
  },
  {
    method: 'DELETE',
    path: '/api/me/cart/:sectionId',
    tag: 'cart',
    summary: 'Remove a section; answers with the whole cart',
    security: 'bearer',
    params: cartItemParams,
    responses: {
      200: { description: 'Removed', schema: cartViewSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  },
  {
    method: 'GET',
    path: '/api/me/timetable',
    tag: 'cart',
    summary: 'Your week: enrolled sections, and the cart unless cart=false',
    security: 'bearer',
    query: timetableQuery,
    responses: {
      200: { description: 'The timetable', schema: timetableViewSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  },
];
