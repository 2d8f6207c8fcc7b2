import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.js';
import { parseInput } from '../../../core/http/validate.js';
import { findRoom, listRooms, toRoomSummary } from './room-store.js';

const roomParams = z.object({ roomId: z.coerce.number().int().positive() });

export function roomRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ rooms: (await listRooms(db)).map(toRoomSummary) });
  });
  router.get('/:roomId', async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    const room = await findRoom(db, roomId);
    if (!room) throw new NotFoundError('ROOM_NOT_FOUND', `No waiting room ${roomId}`);
    res.json(toRoomSummary(room));
  });
  return router;
}
