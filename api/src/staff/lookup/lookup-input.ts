import { z } from 'zod';

export const lookupQuery = z.object({ q: z.string().trim().min(1).max(64) }).strict();
