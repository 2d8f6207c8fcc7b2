import { z } from 'zod';
import { decimalId, decimalLimit } from '../../../../core/http/decimal-id.js';

const instant = z.string().datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

/** Filters of GET /api/staff/audit: who (actor), what (entity, entityId, action), when (from ≤ t < to). */
export const auditQuery = z
  .object({
    actor: decimalId.optional(),
    entity: z.string().min(1).max(32).optional(),
    entityId: z.string().min(1).max(64).optional(),
    action: z.string().min(1).max(32).optional(),
    from: instant.optional(),
    to: instant.optional(),
    before: decimalId.optional(),
    limit: decimalLimit(200, 50),
  })
  .strict()
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: 'from must be before to',
    path: ['to'],
  });
export type AuditQuery = z.output<typeof auditQuery>;
