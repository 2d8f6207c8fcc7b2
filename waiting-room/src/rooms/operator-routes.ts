import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../../../core/auth/require-auth.js';
import { isoInstant } from '../../../core/http/iso-instant.js';
import { parseInput } from '../../../core/http/validate.js';
import { ROOM_KINDS } from '../../../core/rooms/room-kind.js';
import { ADMISSION_MODES } from '../admission/adaptive-pace.js';
import type { OperatorService } from './operator-service.js';
import { roomParams } from './room-routes.js';

const date = isoInstant;
// No defaults here: an edit must change only the fields it names.
const fields = {
  slug: z.string().regex(/^[a-z0-9-]{3,64}$/, 'lowercase letters, digits and -, 3–64'),
  name: z.string().trim().min(1).max(128),
  kind: z.enum(ROOM_KINDS),
  eventId: z.number().int().positive().nullable(),
  registrationWindowId: z.number().int().positive().nullable(),
  admissionRatePerMin: z.number().int().min(1).max(1_000_000),
  // 'fixed' pins the pace at admissionRatePerMin; 'adaptive' lets it follow the pipeline below it (ADR 012).
  admissionMode: z.enum(ADMISSION_MODES),
  maxActive: z.number().int().min(1).max(10_000_000),
  tokenTtlS: z.number().int().min(30).max(86_400),
  prequeueOpensAt: date,
  opensAt: date,
  closesAt: date.nullable(),
};

const timesInOrder = (d: { prequeueOpensAt?: Date; opensAt?: Date; closesAt?: Date | null }) =>
  !(d.prequeueOpensAt && d.opensAt && d.prequeueOpensAt > d.opensAt) &&
  !(d.opensAt && d.closesAt && d.opensAt >= d.closesAt);

export const createBody = z
  .object({
    ...fields,
    eventId: fields.eventId.default(null),
    registrationWindowId: fields.registrationWindowId.default(null),
    tokenTtlS: fields.tokenTtlS.default(600),
    admissionMode: fields.admissionMode.default('adaptive'),
    closesAt: fields.closesAt.default(null),
  })
  .strict()
  .refine(
    (d) => (d.kind === 'sale') === (d.eventId !== null),
    'a sale room needs eventId, a registration room none',
  )
  .refine(timesInOrder, 'times must run prequeueOpensAt ≤ opensAt < closesAt');
export const editBody = z
  .object({
    name: fields.name,
    admissionRatePerMin: fields.admissionRatePerMin,
    admissionMode: fields.admissionMode,
    maxActive: fields.maxActive,
    tokenTtlS: fields.tokenTtlS,
    prequeueOpensAt: fields.prequeueOpensAt,
    opensAt: fields.opensAt,
    closesAt: fields.closesAt,
  })
  .partial()
  .strict()
  .refine((d) => Object.keys(d).length > 0, 'nothing to change')
  .refine(timesInOrder, 'times must run prequeueOpensAt ≤ opensAt < closesAt');
export const actionParams = roomParams.extend({
  action: z.enum(['prequeue', 'open', 'close', 'pause', 'resume']),
});
export const revokeBody = z.object({ userId: z.number().int().positive() }).strict();
export const messageBody = z.object({ message: z.string().trim().min(1).max(500) }).strict();

/** Staff-only room controls; mounted behind requireAuth + requireRole('staff'). */
export function operatorRoutes(ops: OperatorService): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    res.status(201).json(await ops.create(currentUser(req).id, parseInput(createBody, req.body)));
  });
  router.patch('/:roomId', async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    res.json(await ops.edit(currentUser(req).id, roomId, parseInput(editBody, req.body)));
  });
  router.post('/:roomId/actions/:action', async (req, res) => {
    const { roomId, action } = parseInput(actionParams, req.params, 'path');
    res.json(await ops.act(currentUser(req).id, roomId, action));
  });
  router.post('/:roomId/revocations', async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    const { userId } = parseInput(revokeBody, req.body);
    res.json(await ops.revoke(currentUser(req).id, roomId, userId));
  });
  router.post('/:roomId/messages', async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    const { message } = parseInput(messageBody, req.body);
    await ops.publishMessage(currentUser(req).id, roomId, message);
    res.status(202).json({ roomId, message });
  });
  router.get('/:roomId/figures', async (req, res) => {
    const { roomId } = parseInput(roomParams, req.params, 'path');
    res.json(await ops.figures(roomId));
  });
  return router;
}
