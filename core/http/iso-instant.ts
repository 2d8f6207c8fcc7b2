import { z } from 'zod';

/**
 * An instant in a request body: an ISO 8601 date-time with its offset, nothing else. `z.coerce.date()`
 * would take `true`, `0`, `null` or '' (each is some Date to `new Date()`), so a typo would move a room's
 * opening to 1970 instead of being refused.
 */
export const isoInstant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with an offset' })
  .transform((s) => new Date(s));
