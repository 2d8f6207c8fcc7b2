import { z } from 'zod';
import { decimalId } from './decimal-id.js';

/** The path parameters of a route addressing one thing by its id (`/:id`), in plain decimal only. */
export const idParams = z.strictObject({ id: decimalId });
