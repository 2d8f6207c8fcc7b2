import { z } from 'zod';
import { idParams } from '../../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';
import { lookupQuery } from './lookup-input.js';
import type { PersonMatch } from './lookup-read-model.js';

const personMatchSchema: z.ZodType<PersonMatch> = z.object({
  id: z.number().int().positive(),
  username: z.string(),
  role: z.enum(['student', 'staff']),
  displayName: z.string(),
  studentNumber: z.string().nullable(),
  active: z.boolean(),
});
const refused = { 400: errors[400], 401: errors[401], 403: errors[403] };

/** The OpenAPI rows of lookup-routes.ts, mounted at /api/staff/lookup. */
export const lookupRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/staff/lookup',
    tag: 'staff lookup',
    summary: 'Find a student or buyer by username, student number or name',
    security: 'staff',
    query: lookupQuery,
    responses: {
      200: { description: 'The matches', schema: z.object({ people: z.array(personMatchSchema) }) },
      ...refused,
    },
  },
  {
    method: 'GET',
    path: '/api/staff/lookup/users/:id',
    tag: 'staff lookup',
    summary: "A person's whole story: requests, enrollments, reservations, places in rooms",
    security: 'staff',
    params: idParams,
    responses: { 200: { description: 'The story', schema: z.looseObject({}) }, ...refused, 404: errors[404] },
  },
];
