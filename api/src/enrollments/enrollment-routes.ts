import { Router } from 'express';
import { z } from 'zod';
import { currentUser } from '../../../core/auth/require-auth.js';
import type { Knex } from 'knex';
import { parseInput } from '../../../core/http/validate.js';
import { enrollmentPayload } from '../../../core/requests/request-types.js';
import type { AdmissionGuard } from '../admission/admission-guard.js';
import { queuedRequestHandler } from '../requests/queued-request-handler.js';
import type { RequestSubmitter } from '../requests/request-submitter.js';
import { dropEnrollment } from './drop-enrollment.js';
import type { EnrollmentScope } from './enrollment-scope.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });
// Built once: zod compiles a schema on its first parse, so one made per request is compiled per request.
const enrollmentBody = enrollmentPayload.strict();

export function enrollmentRoutes(deps: {
  db: Knex;
  scope: EnrollmentScope;
  admission: AdmissionGuard;
  submitter: RequestSubmitter;
}): Router {
  const router = Router();

  /** Enqueues an enrollment request; 202 at once with the request id, the outcome follows. */
  router.post(
    '/',
    queuedRequestHandler(deps, {
      kind: 'enrollment',
      parse: (req) => parseInput(enrollmentBody, req.body),
      resolve: async (payload) => ({
        payload,
        roomIds: (await deps.scope.resolve(payload.sectionIds)).roomIds,
      }),
    }),
  );

  router.get('/', async (req, res) => {
    const rows = await deps
      .db('enrollments as e')
      .join('sections as s', 's.id', 'e.section_id')
      .join('courses as c', 'c.id', 'e.course_id')
      .where('e.user_id', currentUser(req).id)
      .orderBy('e.id')
      .select(
        'e.id',
        'e.section_id as sectionId',
        's.section_number as sectionNumber',
        'c.code',
        'c.title',
        'c.credits',
        'e.created_at as enrolledAt',
      );
    res.json({ enrollments: rows });
  });

  router.delete('/:id', async (req, res) => {
    const { id } = parseInput(idParams, req.params, 'path');
    const { sectionId } = await dropEnrollment(deps.db, currentUser(req).id, id);
    res.json({ dropped: id, sectionId });
  });
  return router;
}
