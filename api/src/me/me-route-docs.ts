import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { profileSchema } from '../openapi/view-schemas.js';

/** The OpenAPI rows of me-routes.ts, mounted at /api/me. */
export const meRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/me',
    tag: 'me',
    summary: 'Who you are: your profile',
    security: 'bearer',
    responses: {
      200: { description: 'Your profile', schema: profileSchema },
      401: errors[401],
      404: errors[404],
    },
  },
];
