import { z } from 'zod';

/**
 * An id in a path or query string: a plain positive decimal integer only. `z.coerce.number()` would take
 * '0x1', '1e0', '+1', '01' or ' 1' for 1, so one resource would answer to many spellings (and caches and
 * logs would disagree about what was asked). Shared by every app; core/http/id-params.ts builds the usual
 * `/:id` schema on it.
 */
export const decimalId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive whole number in plain decimal')
  .transform(Number)
  .refine(Number.isSafeInteger, 'is too large');

/** A page size in a query string, 1..max, plain decimal. */
export const decimalLimit = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().max(max, `must be a whole number from 1 to ${max}`))
    .default(fallback);
