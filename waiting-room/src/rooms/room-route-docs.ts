import { z } from 'zod';
import type { RoomStatusView } from '../../../core/live-events.js';
import { errors, type RouteDoc } from '../../../core/openapi/route-doc.js';
import { ROOM_KINDS } from '../../../core/rooms/room-kind.js';
import { ROOM_PHASES } from '../../../core/rooms/room-phase.js';
import { ADMISSION_MODES } from '../admission/adaptive-pace.js';
import { actionParams, createBody, editBody, messageBody, revokeBody } from './operator-routes.js';
import type { JoinView } from './room-service.js';
import { joinBody, roomParams } from './room-routes.js';
import type { RoomSummary } from './room-store.js';

const instant = z.string().describe('ISO 8601 instant, UTC');
const phase = z.enum(ROOM_PHASES);

const roomSummarySchema: z.ZodType<RoomSummary> = z.object({
  id: z.number().int().positive(),
  slug: z.string(),
  name: z.string(),
  kind: z.enum(ROOM_KINDS),
  eventId: z.number().int().nullable(),
  registrationWindowId: z.number().int().nullable(),
  state: z.union([phase, z.literal('paused')]),
  prequeueOpensAt: instant,
  opensAt: instant,
  closesAt: instant.nullable(),
  admissionRatePerMin: z.number().int(),
  admissionMode: z.enum(ADMISSION_MODES),
});
export const listedRoom = z.intersection(roomSummarySchema, z.object({ soldOut: z.boolean() }));

export const joinViewSchema: z.ZodType<JoinView> = z.object({
  roomId: z.number().int().positive(),
  created: z.boolean().describe('false: you already held this place (reload, second tab, retry)'),
  phase,
  queueNumber: z.number().int().nullable(),
  servingNumber: z.number().int(),
  position: z.number().int().nullable(),
  admitted: z.boolean(),
});

export const statusViewSchema: z.ZodType<RoomStatusView> = z.object({
  roomId: z.number().int().positive(),
  phase,
  paused: z.boolean(),
  joined: z.boolean(),
  queueNumber: z.number().int().nullable(),
  servingNumber: z.number().int(),
  position: z.number().int().nullable(),
  peopleAhead: z.number().int().nullable(),
  etaSeconds: z.number().int().nullable(),
  admitted: z.boolean(),
  admissionToken: z.string().nullable().describe('Send as X-Admission-Token to the api once admitted'),
  admittedPerMin: z.number().int(),
  waiting: z.number().int(),
  opensAt: instant.nullable(),
  message: z.string(),
  soldOut: z.boolean(),
  serverTime: instant,
});

const refused = { 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] };
const operatorAnswer = { description: 'The room as it now stands', schema: z.looseObject({}) };

/** The OpenAPI rows of room-routes.ts, room-page-routes.ts and operator-routes.ts. */
export const roomRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/rooms',
    tag: 'rooms',
    summary: 'The waiting rooms, each with whether what it guards is sold out',
    security: 'public',
    responses: { 200: { description: 'The rooms', schema: z.object({ rooms: z.array(listedRoom) }) } },
  },
  {
    method: 'GET',
    path: '/rooms/:roomId',
    tag: 'rooms',
    summary: 'One room (with a trailing slash: its browser page instead)',
    security: 'public',
    params: roomParams,
    responses: {
      200: { description: 'The room', schema: listedRoom },
      400: errors[400],
      404: errors[404],
    },
  },
  {
    method: 'GET',
    path: '/rooms/:roomId/',
    tag: 'rooms',
    summary: "The room's browser page",
    security: 'public',
    params: roomParams,
    responses: { 200: { description: 'The page', contentType: 'text/html' }, 404: errors[404] },
  },
  {
    method: 'POST',
    path: '/rooms/:roomId/join',
    tag: 'rooms',
    summary: 'Take a place in the queue (201), or get back the one you hold (200)',
    security: 'bearer',
    params: roomParams,
    body: joinBody,
    responses: {
      200: { description: 'The place you already held', schema: joinViewSchema },
      201: { description: 'A new place', schema: joinViewSchema },
      ...refused,
      409: errors[409],
      429: errors[429],
      503: errors[503],
    },
  },
  {
    method: 'GET',
    path: '/rooms/:roomId/status',
    tag: 'rooms',
    summary: 'Where you stand; once admitted, the admission token (also pushed over socket.io)',
    security: 'bearer',
    params: roomParams,
    responses: { 200: { description: 'Your status', schema: statusViewSchema }, ...refused },
  },
  {
    method: 'POST',
    path: '/operator/rooms',
    tag: 'operator',
    summary: 'Create a room (audited)',
    security: 'staff',
    body: createBody,
    responses: { 201: operatorAnswer, ...refused, 409: errors[409], 422: errors[422] },
  },
  {
    method: 'PATCH',
    path: '/operator/rooms/:roomId',
    tag: 'operator',
    summary: "Change a room's settings (audited)",
    security: 'staff',
    params: roomParams,
    body: editBody,
    responses: { 200: operatorAnswer, ...refused, 409: errors[409], 422: errors[422] },
  },
  {
    method: 'POST',
    path: '/operator/rooms/:roomId/actions/:action',
    tag: 'operator',
    summary: 'Move a room on: prequeue, open, close, pause, resume (audited)',
    security: 'staff',
    params: actionParams,
    responses: { 200: operatorAnswer, ...refused, 409: errors[409] },
  },
  {
    method: 'POST',
    path: '/operator/rooms/:roomId/revocations',
    tag: 'operator',
    summary: "Revoke a person's admission (audited)",
    security: 'staff',
    params: roomParams,
    body: revokeBody,
    responses: { 200: operatorAnswer, ...refused, 409: errors[409] },
  },
  {
    method: 'POST',
    path: '/operator/rooms/:roomId/messages',
    tag: 'operator',
    summary: 'Tell everyone in the room something (pushed at once)',
    security: 'staff',
    params: roomParams,
    body: messageBody,
    responses: {
      202: { description: 'Sent', schema: z.object({ roomId: z.number().int(), message: z.string() }) },
      ...refused,
    },
  },
  {
    method: 'GET',
    path: '/operator/rooms/:roomId/figures',
    tag: 'operator',
    summary: "The room's live figures: waiting, admitted per minute, pace, outcomes",
    security: 'staff',
    params: roomParams,
    responses: {
      200: { description: 'The figures', schema: z.looseObject({ roomId: z.number().int() }) },
      ...refused,
    },
  },
];
