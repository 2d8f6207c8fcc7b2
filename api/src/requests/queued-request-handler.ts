import type { RequestHandler } from 'express';
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
  parse(body: unknown): B;
  /**
   * Checks everything the body names exists (4xx before anything is recorded), says which waiting
   * rooms guard it, and returns the payload to record.
   */
  resolve(body: B): Promise<{ payload: unknown; roomIds: readonly number[] }>;
}

/** What a submission is made of, read off the HTTP request by whichever path answers it. */
export interface SubmissionInput {
  userId: number;
  body: unknown;
  /** The `Idempotency-Key` header. */
  idempotencyKey: string | undefined;
  /** The `X-Admission-Token` header. */
  admissionToken: string | undefined;
  /** The request's id, carried into the worker's logs (ADR 016). */
  reqId: string | undefined;
}

/** Always a 202: the request as recorded (new, or the one already under its key); its outcome follows. */
export interface QueuedAnswer {
  location: string;
  body: { requestId: number; created: boolean; status: RequestView['status']; request: RequestView };
}

export type QueuedRequest = (input: SubmissionInput) => Promise<QueuedAnswer>;

/**
 * A submission of one kind (enrollments and reservations share it): validate, check the admission and
 * take one unit of its allowance (given back unless the request is accepted as new), record + enqueue
 * (a key already recorded answers with its request). A refused admission may still be a retry of a
 * request made while it was valid: a known Idempotency-Key is then answered as it stands. So the common
 * case costs no lookup before the INSERT. Free of express: the api's raw submit path (ADR 028) and the
 * express route both call it.
 */
export function queuedRequest<B>(
  deps: { admission: AdmissionGuard; submitter: RequestSubmitter },
  spec: QueuedRequestSpec<B>,
): QueuedRequest {
  return async (input) => {
    const receivedAt = new Date();
    const body = spec.parse(input.body);
    const idempotencyKey = idempotencyKeyOf(input.idempotencyKey);
    let at = performance.now();
    const { payload, roomIds } = await spec.resolve(body);
    observeSubmitStage('scope', performance.now() - at);
    const { userId } = input;
    let unit: AllowanceUnit;
    at = performance.now();
    try {
      unit = await deps.admission.take(input.admissionToken, userId, roomIds, spec.kind, idempotencyKey);
      observeSubmitStage('admission', performance.now() - at);
    } catch (refused) {
      const replayed = await deps.submitter.replay(userId, idempotencyKey, spec.kind, payload);
      if (!replayed) throw refused;
      return answer(false, replayed);
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
        reqId: input.reqId,
      });
      accepted = created;
      return answer(created, request);
    } finally {
      if (!accepted) await deps.admission.release(unit);
    }
  };
}

function answer(created: boolean, request: RequestView): QueuedAnswer {
  return {
    location: `/api/requests/${request.id}`,
    body: { requestId: request.id, created, status: request.status, request },
  };
}

/** The express route for a submission (behind requireAuth). */
export function queuedRequestHandler(submit: QueuedRequest): RequestHandler {
  return async (req, res) => {
    const { location, body } = await submit({
      userId: currentUser(req).id,
      body: req.body,
      idempotencyKey: req.get('idempotency-key'),
      admissionToken: req.get('x-admission-token'),
      reqId: req.id,
    });
    res.status(202).location(location).json(body);
  };
}
