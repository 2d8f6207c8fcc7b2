import { Router, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { currentUser } from '../../../core/auth/require-auth.js';
import { decimalId } from '../../../core/http/decimal-id.js';
import { parseInput } from '../../../core/http/validate.js';
import type { RoomQueue } from '../queue/room-queue.js';
import { roomReceipt } from './room-receipt.js';

export const receiptParams = z.strictObject({ roomId: decimalId });

/** GET /rooms/:roomId/receipt: the signed-in person's own receipt of the room (room-receipt.ts). */
export function receiptRoutes(db: Knex, queue: RoomQueue, authenticated: RequestHandler): Router {
  const router = Router();
  router.get('/:roomId/receipt', authenticated, async (req, res) => {
    const { roomId } = parseInput(receiptParams, req.params, 'path');
    res.setHeader('Cache-Control', 'no-store');
    res.json(await roomReceipt({ db, queue }, roomId, currentUser(req).id));
  });
  return router;
}
