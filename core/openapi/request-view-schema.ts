import { z } from 'zod';
import type { RequestView } from '../views/request-view.js';

/**
 * A request as its owner sees it (core/views/request-view.ts), for the OpenAPI documents of the api
 * (GET /api/requests/:id) and the waiting room (the receipt). Annotated with the view type, so tsc
 * refuses a schema that no longer matches it.
 */
const id = z.number().int().positive();
const instant = z.string().describe('ISO 8601 instant, UTC');

const outcomeItem = z.object({
  sectionId: id.optional(),
  status: z.enum(['committed', 'rejected']),
  code: z.string(),
  message: z.string(),
  enrollmentId: id.optional(),
});
export const requestViewSchema: z.ZodType<RequestView> = z.object({
  id,
  kind: z.enum(['enrollment', 'reservation']),
  status: z.enum(['queued', 'committed', 'rejected', 'failed']),
  roomId: id.nullable(),
  payload: z.unknown(),
  outcome: z
    .object({
      code: z.string(),
      message: z.string(),
      details: z.looseObject({ items: z.array(outcomeItem).optional() }).nullable(),
    })
    .nullable(),
  createdAt: instant,
  completedAt: instant.nullable(),
});
