import { z } from 'zod';
import { decimalId, decimalLimit } from './decimal-id.js';

/** `?limit=&before=` of a newest-first listing: plain decimal only, nothing else in the query. */
export const pageQuery = z.strictObject({ limit: decimalLimit(100, 20), before: decimalId.optional() });
