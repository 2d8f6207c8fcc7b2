import { z } from 'zod';
import { idParams } from '../../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../../core/openapi/route-doc.js';
import type { AdminResource, Versioned } from './admin-resource.js';
import { staffPageOf } from './staff-row-schemas.js';

/** The If-Match that every staff change sends (core/http/row-version.ts). */
export const ifMatchHeader: NonNullable<RouteDoc['headers']>[number] = {
  name: 'If-Match',
  required: true,
  description: 'The ETag of the row as you read it, like "v3"; a row that moved on answers 409',
  schema: z.string(),
};

/**
 * The five rows of one adminResourceRoutes router mounted at `base`: built from the resource's own
 * query, create and patch schemas, the same ones the router parses with, and the row it answers with.
 */
export function adminResourceDocs<
  Dto extends Versioned,
  Q extends z.ZodType,
  C extends z.ZodType,
  P extends z.ZodType,
>(base: string, tag: string, def: AdminResource<Dto, Q, C, P>, rowSchema: z.ZodType<Dto>): RouteDoc[] {
  const what = def.entity;
  const row = { description: `The ${what}, with ETag`, schema: rowSchema };
  return [
    {
      method: 'GET',
      path: base,
      tag,
      summary: `List ${what}s, a keyset page at a time`,
      security: 'staff',
      query: def.query,
      responses: {
        200: { description: 'A page', schema: staffPageOf(rowSchema) },
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    },
    {
      method: 'GET',
      path: `${base}/:id`,
      tag,
      summary: `One ${what}`,
      security: 'staff',
      params: idParams,
      responses: { 200: row, 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
    },
    {
      method: 'POST',
      path: base,
      tag,
      summary: `Create a ${what} (audited)`,
      security: 'staff',
      body: def.create,
      responses: {
        201: { ...row, description: `Created; Location names the new ${what}` },
        400: errors[400],
        401: errors[401],
        403: errors[403],
        409: errors[409],
        422: errors[422],
      },
    },
    {
      method: 'PATCH',
      path: `${base}/:id`,
      tag,
      summary: `Change a ${what} (If-Match; audited)`,
      security: 'staff',
      params: idParams,
      headers: [ifMatchHeader],
      body: def.patch,
      responses: {
        200: row,
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
        422: errors[422],
        428: errors[428],
      },
    },
    {
      method: 'DELETE',
      path: `${base}/:id`,
      tag,
      summary: `Delete a ${what} nothing refers to (If-Match; audited)`,
      security: 'staff',
      params: idParams,
      headers: [ifMatchHeader],
      responses: {
        204: { description: 'Deleted' },
        400: errors[400],
        401: errors[401],
        403: errors[403],
        404: errors[404],
        409: errors[409],
        428: errors[428],
      },
    },
  ];
}
