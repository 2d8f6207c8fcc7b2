import { z } from 'zod';
import { decimalId } from '../../../core/http/decimal-id.js';

// Strict like the catalogue's query: an unknown parameter is a 400, not silently ignored.
export const cartQuery = z.strictObject({ term: decimalId });
export const timetableQuery = z.strictObject({
  term: decimalId,
  cart: z
    .enum(['true', 'false'], 'must be true or false')
    .transform((v) => v === 'true')
    .default(true),
});
export const cartItemParams = z.strictObject({ sectionId: decimalId });
export const cartBody = z.strictObject({
  sectionId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});
