import { Router } from 'express';
import { z } from 'zod';
import { healthRouteDocs } from '../../../core/openapi/health-route-docs.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../../../core/openapi/openapi-document.js';
import { errorResponse, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { requestViewSchema } from '../../../core/openapi/request-view-schema.js';
import { receiptRouteDocs, receiptSchema } from '../receipt/receipt-route-docs.js';
import { joinViewSchema, listedRoom, roomRouteDocs, statusViewSchema } from '../rooms/room-route-docs.js';

/** This document, and the page's own files (the static folder is one row). */
const ownRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/rooms/openapi.json',
    tag: 'docs',
    summary: 'This document (OpenAPI 3.1); read it at /api/docs',
    security: 'public',
    responses: {
      200: { description: 'The document', schema: z.looseObject({ openapi: z.literal('3.1.0') }) },
    },
  },
  {
    method: 'GET',
    path: '/rooms/assets/:file',
    tag: 'rooms',
    summary: "The room page's script and styles",
    security: 'public',
    params: z.object({ file: z.string() }),
    responses: {
      200: { description: 'The file', contentType: 'application/octet-stream' },
      404: errorResponse('No such file'),
    },
  },
];

/** Every route of the waiting room, one row each, gathered from the tables beside the routers. */
export const waitingRoomRouteDocs: readonly RouteDoc[] = [
  ...healthRouteDocs,
  ...ownRouteDocs,
  ...roomRouteDocs,
  ...receiptRouteDocs,
];

export const waitingRoomDocument = (): OpenApiDocument =>
  buildOpenApiDocument({
    title: 'Rushline waiting room',
    version: '0.1.0',
    description:
      'The fair queue in front of a sale or a registration window: join, watch your place (also pushed ' +
      'over socket.io), and once admitted take the admission token to the api. Staff run rooms under ' +
      '/operator. Every error answers { "error": { "code", "message" } }.',
    routes: waitingRoomRouteDocs,
    components: {
      Room: listedRoom,
      Join: joinViewSchema,
      RoomStatus: statusViewSchema,
      Receipt: receiptSchema,
      Request: requestViewSchema,
    },
  });

/** GET /rooms/openapi.json; mounted before the room routes, which would take `openapi.json` for a room id. */
export function waitingRoomOpenApiRoutes(): Router {
  const router = Router();
  let json: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    json ??= JSON.stringify(waitingRoomDocument());
    res.type('application/json').setHeader('Cache-Control', 'public, max-age=300');
    res.send(json);
  });
  return router;
}
