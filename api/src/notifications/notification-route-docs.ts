import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { notificationPageSchema, unreadSchema } from '../openapi/view-schemas.js';
import { pageQuery, readBody } from './notification-routes.js';

/** The OpenAPI rows of notification-routes.ts, mounted at /api/me/notifications. */
export const notificationRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/me/notifications',
    tag: 'notifications',
    summary: 'Your notifications, newest first, with the unread count',
    security: 'bearer',
    query: pageQuery,
    responses: {
      200: { description: 'A page', schema: notificationPageSchema },
      400: errors[400],
      401: errors[401],
    },
  },
  {
    method: 'GET',
    path: '/api/me/notifications/unread',
    tag: 'notifications',
    summary: 'How many are unread',
    security: 'bearer',
    responses: { 200: { description: 'The count', schema: unreadSchema }, 401: errors[401] },
  },
  {
    method: 'POST',
    path: '/api/me/notifications/read',
    tag: 'notifications',
    summary: 'Mark some ({ ids }) or all ({ all: true }) read',
    security: 'bearer',
    body: readBody,
    responses: {
      200: { description: 'The unread count after', schema: unreadSchema },
      400: errors[400],
      401: errors[401],
    },
  },
];
