import { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { currentUser } from '../../../core/auth/require-auth.js';
import { NotFoundError } from '../../../core/errors.js';
import { parseInput } from '../../../core/http/validate.js';
import { idParams } from '../../../core/http/id-params.js';
import { pageQuery } from '../../../core/http/page-query.js';
import type { SettlementDeps } from '../../../core/reservations/payment-settlement.js';
import { reservationPayload } from '../../../core/requests/request-types.js';
import type { AdmissionGuard } from '../admission/admission-guard.js';
import { idempotencyKeyOf } from '../requests/idempotency-key.js';
import type { RequestSubmitter } from '../requests/request-submitter.js';
import {
  queuedRequest,
  queuedRequestHandler,
  type QueuedRequest,
} from '../requests/queued-request-handler.js';
import { cancelReservation } from './cancel-reservation.js';
import type { ReservationPayments } from './pay-reservation.js';
import { findReservationView, listReservationViews } from './reservation-read-model.js';
import type { ReservationScope } from './reservation-scope.js';

export const listQuery = pageQuery;
// Strict: a body naming both seats and a zone, or anything else unknown, is refused rather than guessed at.
const [chosenSeats, bestAvailable] = reservationPayload.options;
export const reservationBody = z.union([chosenSeats.strict(), bestAvailable.strict()]);
export const payBody = z.object({ paymentMethod: z.string().min(1).max(64).optional() }).strict();

/**
 * Enqueues a reservation request (chosen seats or best available); 202 at once, the outcome follows. The
 * express route below and the api's raw submit path (ADR 028) both answer with it.
 */
export function submitReservation(deps: {
  scope: ReservationScope;
  admission: AdmissionGuard;
  submitter: RequestSubmitter;
}): QueuedRequest {
  return queuedRequest(deps, {
    kind: 'reservation',
    parse: (body) => parseInput(reservationBody, body),
    resolve: (body) => deps.scope.resolve(body),
  });
}

export interface ReservationRouteDeps {
  db: Knex;
  submit: QueuedRequest;
  payments: ReservationPayments;
  settlement: Pick<SettlementDeps, 'db' | 'provider' | 'logger' | 'live'>;
}

export function reservationRoutes(deps: ReservationRouteDeps): Router {
  const router = Router();

  router.post('/', queuedRequestHandler(deps.submit));

  router.get('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    res.json(await viewOrNotFound(deps.db, currentUser(req).id, id));
  });

  router.post('/:id/pay', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const body = parseInput(payBody, req.body ?? {});
    const clientKey = idempotencyKeyOf(req.get('idempotency-key'));
    const userId = currentUser(req).id;
    const settled = await deps.payments.pay({
      userId,
      reservationId: id,
      clientKey,
      paymentMethod: body.paymentMethod,
    });
    const reservation = await viewOrNotFound(deps.db, userId, id);
    const payment = reservation.payments.find((p) => p.id === settled.payment.id) ?? null;
    // 200 paid; 202 while the provider's answer is unknown (the reservation stays held meanwhile).
    res.status(settled.kind === 'paid' ? 200 : 202).json({ reservation, payment });
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const userId = currentUser(req).id;
    const { refund } = await cancelReservation(deps.settlement, userId, id);
    res.json({ reservation: await viewOrNotFound(deps.db, userId, id), refund });
  });
  return router;
}

/** GET /api/me/reservations: your reservations, newest first, paged with ?before=<id>. */
export function myReservationRoutes(db: Knex): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const rows = await listReservationViews(db, currentUser(req).id, { limit: q.limit, beforeId: q.before });
    const last = rows.at(-1);
    res.json({
      reservations: rows,
      next: rows.length === q.limit && last ? `?before=${last.id}&limit=${q.limit}` : null,
    });
  });
  return router;
}

async function viewOrNotFound(db: Knex, userId: number, id: number) {
  const view = await findReservationView(db, userId, id);
  if (!view) throw new NotFoundError('RESERVATION_NOT_FOUND', `You have no reservation ${id}`);
  return view;
}
