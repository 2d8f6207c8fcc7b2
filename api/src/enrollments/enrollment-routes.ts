import { Router } from 'express';
import type { Knex } from 'knex';
import { currentUser } from '../../../core/auth/require-auth.js';
import { parseInput } from '../../../core/http/validate.js';
import { idParams } from '../../../core/http/id-params.js';
import { enrollmentPayload } from '../../../core/requests/request-types.js';
import type { AdmissionGuard } from '../admission/admission-guard.js';
import {
  queuedRequest,
  queuedRequestHandler,
  type QueuedRequest,
} from '../requests/queued-request-handler.js';
import type { RequestSubmitter } from '../requests/request-submitter.js';
import { dropEnrollment } from './drop-enrollment.js';
import { listEnrollments } from './enrollment-read-model.js';
import type { EnrollmentScope } from './enrollment-scope.js';

// Built once: zod compiles a schema on its first parse, so one made per request is compiled per request.
export const enrollmentBody = enrollmentPayload.strict();

/**
 * Enqueues an enrollment request; 202 at once with the request id, the outcome follows. The express route
 * below and the api's raw submit path (ADR 028) both answer with it.
 */
export function submitEnrollment(deps: {
  scope: EnrollmentScope;
  admission: AdmissionGuard;
  submitter: RequestSubmitter;
}): QueuedRequest {
  return queuedRequest(deps, {
    kind: 'enrollment',
    parse: (body) => parseInput(enrollmentBody, body),
    resolve: async (payload) => ({
      payload,
      roomIds: (await deps.scope.resolve(payload.sectionIds)).roomIds,
    }),
  });
}

export function enrollmentRoutes(deps: { db: Knex; submit: QueuedRequest }): Router {
  const router = Router();

  router.post('/', queuedRequestHandler(deps.submit));

  router.get('/', async (req, res) => {
    res.json({ enrollments: await listEnrollments(deps.db, currentUser(req).id) });
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const { sectionId } = await dropEnrollment(deps.db, currentUser(req).id, id);
    res.json({ dropped: id, sectionId });
  });
  return router;
}
