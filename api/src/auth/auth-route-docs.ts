import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { tokenPairSchema } from '../openapi/view-schemas.js';
import { loginBody, refreshBody } from './auth-routes.js';

/** The OpenAPI rows of auth-routes.ts, mounted at /api/auth. */
export const authRouteDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/auth/login',
    tag: 'auth',
    summary: 'Sign in: an access token (JWT) and a refresh token',
    security: 'public',
    body: loginBody,
    responses: {
      200: { description: 'Signed in', schema: tokenPairSchema },
      400: errors[400],
      401: errors[401],
      429: errors[429],
    },
  },
  {
    method: 'POST',
    path: '/api/auth/refresh',
    tag: 'auth',
    summary: 'Trade a refresh token for a new pair (each refresh token works once)',
    security: 'public',
    body: refreshBody,
    responses: {
      200: { description: 'A new pair', schema: tokenPairSchema },
      400: errors[400],
      401: errors[401],
    },
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    tag: 'auth',
    summary: "End the refresh token's session",
    security: 'public',
    body: refreshBody,
    responses: { 204: { description: 'Signed out' }, 400: errors[400] },
  },
];
