import { z } from 'zod';
import { decimalId } from '../../../../core/http/decimal-id.js';

export const lookupQuery = z.object({ q: z.string().trim().min(1).max(64) }).strict();
export const lookupParams = z.object({ id: decimalId }).strict();
