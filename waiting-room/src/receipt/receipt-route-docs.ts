import { z } from 'zod';
import { requestViewSchema } from '../../../core/openapi/request-view-schema.js';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { ROOM_KINDS } from '../../../core/rooms/room-kind.js';
import type { RoomReceiptView } from '../../../core/views/receipt-view.js';
import { receiptParams } from './receipt-routes.js';

const instant = z.string().describe('ISO 8601 instant, UTC');
export const receiptSchema: z.ZodType<RoomReceiptView> = z.object({
  room: z.object({
    id: z.number().int().positive(),
    name: z.string(),
    kind: z.enum(ROOM_KINDS),
    eventId: z.number().int().nullable(),
    termId: z.number().int().nullable(),
    opensAt: instant,
    openedAt: instant.nullable(),
  }),
  draw: z.object({
    seed: z.string().nullable(),
    prequeueSize: z.number().int().nullable(),
    method: z.string(),
  }),
  you: z.object({
    joinedAt: instant.nullable(),
    inDraw: z.boolean(),
    joinOrder: z.number().int().nullable(),
    queueNumber: z.number().int().nullable(),
    admittedAt: instant.nullable(),
    admissionExpiresAt: instant.nullable(),
  }),
  requests: z.array(requestViewSchema),
});

/** The OpenAPI rows of receipt-routes.ts. */
export const receiptRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/rooms/:roomId/receipt',
    tag: 'rooms',
    summary: 'What happened to you in this room: the draw, your number, your requests (checkable)',
    security: 'bearer',
    params: receiptParams,
    responses: {
      200: { description: 'Your receipt', schema: receiptSchema },
      400: errors[400],
      401: errors[401],
      404: errors[404],
    },
  },
];
