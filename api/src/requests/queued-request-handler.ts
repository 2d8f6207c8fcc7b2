import type { Request, RequestHandler, Response } from 'express';
import { performance } from 'node:perf_hooks';
import type { AllowanceUnit } from '../../../core/admission/admission-allowance.js';
import { currentUser } from '../../../core/auth/require-auth.js';
import { observeSubmitStage } from '../../../core/metrics/submit-metrics.js';
import type { RequestKind, RequestView } from '../../../core/requests/request-types.js';
import type { AdmissionGuard } from '../admission/admission-guard.js';
import { idempotencyKeyOf } from './idempotency-key.js';
import type { RequestSubmitter } from './request-submitter.js';

export interface QueuedRequestSpec<B> {
  kind: RequestKind;
  /** Validates the body's shape (a 400 comes before any header or database check). */
  parse(req: Request): B;
  /**
   * Checks everything the body names exists (4xx before anything is recorded), says which waiting
   * rooms guard it, and returns the payload to record.
   */
  resolve(body: B): Promise<{ payload: unknown; roomIds: readonly number[] }>;
}

/**
 * POST handler shared by enrollments and reservations: validate, check the admission and take one unit
 * of its allowance (given back unless the request is accepted as new), record +
 * enqueue (a key already recorded answers with its request). A refused admission may still be a retry
 * of a request made while it was valid: a known Idempotency-Key is then answered as it stands. So the
 * common case costs no lookup before the INSERT. 202 at once with the request; its outcome follows.
 */
export function queuedRequestHandler<B>(
  deps: { admission: AdmissionGuard; submitter: RequestSubmitter },
  spec: QueuedRequestSpec<B>,
): RequestHandler {
  return async (req, res) => {
    const receivedAt = new Date();
    const body = spec.parse(req);
    const idempotencyKey = idempotencyKeyOf(req);
    let at = performance.now();
    const { payload, roomIds } = await spec.resolve(body);
    observeSubmitStage('scope', performance.now() - at);
    const userId = currentUser(req).id;
    let unit: AllowanceUnit;
    at = performance.now();
    try {
      unit = await deps.admission.take(req, roomIds, spec.kind, idempotencyKey);
      observeSubmitStage('admission', performance.now() - at);
    } catch (refused) {
      const replayed = await deps.submitter.replay(userId, idempotencyKey, spec.kind, payload);
      if (!replayed) throw refused;
      respond(res, false, replayed);
      return;
    }
    // The unit taken counts only if this request is accepted as a new one (ADR 015).
    let accepted = false;
    try {
      const { created, request } = await deps.submitter.submit({
        userId,
        kind: spec.kind,
        roomId: unit.claims.roomId,
        queueNumber: unit.claims.queueNumber,
        idempotencyKey,
        payload,
        receivedAt,
        reqId: req.id,
      });
      accepted = created;
      respond(res, created, request);
    } finally {
      if (!accepted) await deps.admission.release(unit);
    }
  };
}

function respond(res: Response, created: boolean, request: RequestView): void {
  res
    .status(202)
    .location(`/api/requests/${request.id}`)
    .json({ requestId: request.id, created, status: request.status, request });
}
