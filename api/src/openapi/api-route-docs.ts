import { z } from 'zod';
import { healthRouteDocs } from '../../../core/openapi/health-route-docs.js';
import { errorResponse, errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { authRouteDocs } from '../auth/auth-route-docs.js';
import { cartRouteDocs } from '../cart/cart-route-docs.js';
import { catalogRouteDocs } from '../catalog/catalog-route-docs.js';
import { enrollmentRouteDocs } from '../enrollments/enrollment-route-docs.js';
import { eventRouteDocs } from '../events/event-route-docs.js';
import { meRouteDocs } from '../me/me-route-docs.js';
import { notificationRouteDocs } from '../notifications/notification-route-docs.js';
import { requestRouteDocs } from '../requests/request-route-docs.js';
import { reservationRouteDocs } from '../reservations/reservation-route-docs.js';
import { auditRouteDocs } from '../staff/audit/audit-route-docs.js';
import { staffCatalogRouteDocs } from '../staff/catalog/staff-catalog-route-docs.js';
import { staffEventRouteDocs } from '../staff/events/staff-event-route-docs.js';
import { exportRouteDocs } from '../staff/exports/export-route-docs.js';
import { importRouteDocs } from '../staff/imports/import-route-docs.js';
import { lookupRouteDocs } from '../staff/lookup/lookup-route-docs.js';
import { staffUserRouteDocs } from '../staff/users/staff-user-route-docs.js';

/** The staff pages under /admin (bull-board's own app is one row: its inner routes are its own). */
const adminRouteDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/admin/session',
    tag: 'admin pages',
    summary: 'Trade a staff bearer token for the /admin cookie session (15 minutes)',
    security: 'staff',
    responses: { 204: { description: 'The cookie is set' }, 401: errors[401], 403: errors[403] },
  },
  {
    method: 'DELETE',
    path: '/admin/session',
    tag: 'admin pages',
    summary: 'Clear the /admin cookie session',
    security: 'public',
    responses: { 204: { description: 'The cookie is cleared' } },
  },
  {
    method: 'GET',
    path: '/admin/queues',
    tag: 'admin pages',
    summary: 'The queue board (bull-board): a browser page with its own routes beneath',
    security: 'staff-session',
    responses: {
      200: { description: 'The page', contentType: 'text/html' },
      401: errors[401],
      403: errors[403],
    },
  },
];

/** The document and its page describe themselves too, so the coverage test holds for them. */
const docsRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/openapi.json',
    tag: 'docs',
    summary: 'This document (OpenAPI 3.1)',
    security: 'public',
    responses: {
      200: { description: 'The document', schema: z.looseObject({ openapi: z.literal('3.1.0') }) },
    },
  },
  {
    method: 'GET',
    path: '/api/docs',
    tag: 'docs',
    summary: 'The API reference page (Swagger UI)',
    security: 'public',
    responses: { 200: { description: 'The page', contentType: 'text/html' } },
  },
  {
    method: 'GET',
    path: '/api/docs/start.js',
    tag: 'docs',
    summary: "The reference page's start-up script",
    security: 'public',
    responses: { 200: { description: 'The script', contentType: 'text/javascript' } },
  },
  {
    method: 'GET',
    path: '/api/docs/contrast.css',
    tag: 'docs',
    summary: "The reference page's contrast fixes",
    security: 'public',
    responses: { 200: { description: 'The stylesheet', contentType: 'text/css' } },
  },
  {
    method: 'GET',
    path: '/api/docs/assets/:file',
    tag: 'docs',
    summary: "Swagger UI's own files, from node_modules",
    security: 'public',
    params: z.object({
      file: z.enum(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']),
    }),
    responses: {
      200: { description: 'The file', contentType: 'application/octet-stream' },
      404: errorResponse('No such file'),
    },
  },
];

/** Every route of the api, one row each, gathered from the tables beside the routers. */
export const apiRouteDocs: readonly RouteDoc[] = [
  ...healthRouteDocs,
  ...docsRouteDocs,
  ...authRouteDocs,
  ...catalogRouteDocs,
  ...eventRouteDocs,
  ...meRouteDocs,
  ...cartRouteDocs,
  ...notificationRouteDocs,
  ...requestRouteDocs,
  ...enrollmentRouteDocs,
  ...reservationRouteDocs,
  ...staffUserRouteDocs,
  ...auditRouteDocs,
  ...staffCatalogRouteDocs,
  ...staffEventRouteDocs,
  ...importRouteDocs,
  ...exportRouteDocs,
  ...lookupRouteDocs,
  ...adminRouteDocs,
];
