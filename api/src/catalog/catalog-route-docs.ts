import { z } from 'zod';
import { idParams } from '../../../core/http/id-params.js';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import {
  majorViewSchema,
  sectionPageSchema,
  sectionViewSchema,
  termViewSchema,
} from '../openapi/view-schemas.js';
import { sectionQuery, termParams } from './catalog-params.js';

/** The OpenAPI rows of catalog-routes.ts (/api/terms, /api/sections): public. */
export const catalogRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/terms',
    tag: 'catalog',
    summary: 'Terms with their registration windows, newest first',
    security: 'public',
    responses: { 200: { description: 'The terms', schema: z.object({ terms: z.array(termViewSchema) }) } },
  },
  {
    method: 'GET',
    path: '/api/terms/:termId/majors',
    tag: 'catalog',
    summary: "A term's majors",
    security: 'public',
    params: termParams,
    responses: {
      200: { description: 'The majors', schema: z.object({ majors: z.array(majorViewSchema) }) },
      400: errors[400],
      404: errors[404],
    },
  },
  {
    method: 'GET',
    path: '/api/terms/:termId/sections',
    tag: 'catalog',
    summary: "Search a term's sections, a page at a time (unknown parameters are refused)",
    security: 'public',
    params: termParams,
    query: sectionQuery,
    responses: {
      200: { description: 'A page of sections', schema: sectionPageSchema },
      400: errors[400],
      404: errors[404],
    },
  },
  {
    method: 'GET',
    path: '/api/sections/:id',
    tag: 'catalog',
    summary: 'One section',
    security: 'public',
    params: idParams,
    responses: {
      200: { description: 'The section', schema: sectionViewSchema },
      400: errors[400],
      404: errors[404],
    },
  },
];
