import { Router, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { currentUser } from '../../../core/auth/require-auth.js';
import { NotFoundError } from '../../../core/errors.js';
import { decimalId } from '../../../core/http/decimal-id.js';
import { parseInput } from '../../../core/http/validate.js';
import type { JoinView, RoomService } from './room-service.js';
import { findRoom, listRooms, toRoomSummary } from './room-store.js';

// Plain decimal only: `/rooms/0x1/join` must not join room 1 (core/http/decimal-id.ts says why).
export const roomParams = z.strictObject({ roomId: decimalId });
export const joinBody = z.object({
  // Lets a client recognise its own retry in logs; the place itself is keyed by user, not by this id.
  clientRequestId: z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/, 'must be 8–64 letters, digits or ._:-'),
});

/** POST /rooms/:roomId/join once the caller is known: 201 with a new place, 200 with the one they hold. */
export async function joinRoom(
  rooms: RoomService,
  userId: number,
  params: unknown,
  body: unknown,
): Promise<{ status: 200 | 201; view: JoinView }> {
  const { roomId } = parseInput(roomParams, params, 'path');
  parseInput(joinBody, body);
  const view = await rooms.join(roomId, userId);
  return { status: view.created ? 201 : 200, view };
}

/**
 * `readDb` serves the public list and room view, which may be a moment behind (ADR 022). A room the replica
 * does not have yet is looked for on the primary (`db`): staff open a room's console right after creating
 * it, and a room that exists must not answer 404.
 */
export function roomRoutes(
  readDb: Knex,
  db: Knex,
  rooms: RoomService,
  authenticated: RequestHandler,
): Router {
  const router = Router();
  // Each with its sold-out flag (ADR 013), which lives in Redis, so the home page can say so.
  router.get('/', async (_req, res) => {
    const rows = await listRooms(readDb);
    const soldOut = await rooms.soldOut(rows.map((r) => r.id));
    res.json({ rooms: rows.map((r, i) => ({ ...toRoomSummary(r), soldOut: soldOut[i] === true })) });
  });
  router.get('/:roomId', async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    const room = (await findRoom(readDb, roomId)) ?? (readDb === db ? undefined : await findRoom(db, roomId));
    if (!room) throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
    const [soldOut] = await rooms.soldOut([roomId]);
    res.json({ ...toRoomSummary(room), soldOut: soldOut === true });
  });
  // In a running process join-fast-path.ts answers this route before express, with the same joinRoom,
  // headers, request id, body parser and errors (ADR 011); this route serves an app built without it.
  router.post('/:roomId/join', authenticated, async (req, res) => {
    const { status, view } = await joinRoom(rooms, currentUser(req).id, req.params, req.body);
    res.status(status).json(view);
  });
  router.get('/:roomId/status', authenticated, async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    res.json(await rooms.status(roomId, currentUser(req).id));
  });
  return router;
}
