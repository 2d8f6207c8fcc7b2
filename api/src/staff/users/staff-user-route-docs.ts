import { z } from 'zod';
import { idParams } from '../../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';
import { profileShape } from '../../openapi/view-schemas.js';
import { ifMatchHeader } from '../catalog/admin-resource-docs.js';
import { createUserBody, passwordBody, updateUserBody, userListQuery } from './staff-user-input.js';
import type { StaffUserView } from './staff-user-store.js';

const staffUserSchema: z.ZodType<StaffUserView> = profileShape.extend({
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
});
const user = { description: 'The account, with ETag', schema: staffUserSchema };
const refused = { 400: errors[400], 401: errors[401], 403: errors[403] };

/** The OpenAPI rows of staff-user-routes.ts, mounted at /api/staff/users. */
export const staffUserRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/staff/users',
    tag: 'staff users',
    summary: 'Find accounts',
    security: 'staff',
    query: userListQuery,
    responses: {
      200: {
        description: 'A page',
        schema: z.object({ users: z.array(staffUserSchema), nextAfter: z.number().int().nullable() }),
      },
      ...refused,
    },
  },
  {
    method: 'POST',
    path: '/api/staff/users',
    tag: 'staff users',
    summary: 'Create an account (audited)',
    security: 'staff',
    body: createUserBody,
    responses: { 201: user, ...refused, 409: errors[409], 422: errors[422] },
  },
  {
    method: 'GET',
    path: '/api/staff/users/:id',
    tag: 'staff users',
    summary: 'One account',
    security: 'staff',
    params: idParams,
    responses: { 200: user, ...refused, 404: errors[404] },
  },
  {
    method: 'PATCH',
    path: '/api/staff/users/:id',
    tag: 'staff users',
    summary: 'Change an account (If-Match; audited)',
    security: 'staff',
    params: idParams,
    headers: [ifMatchHeader],
    body: updateUserBody,
    responses: {
      200: user,
      ...refused,
      404: errors[404],
      409: errors[409],
      422: errors[422],
      428: errors[428],
    },
  },
  {
    method: 'POST',
    path: '/api/staff/users/:id/password',
    tag: 'staff users',
    summary: "Set an account's password (If-Match; audited, never logged)",
    security: 'staff',
    params: idParams,
    headers: [ifMatchHeader],
    body: passwordBody,
    responses: { 200: user, ...refused, 404: errors[404], 409: errors[409], 428: errors[428] },
  },
];
