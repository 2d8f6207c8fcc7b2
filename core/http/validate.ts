import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Parses untrusted input with a zod schema; a failure becomes a 400 naming each bad field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'request body',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const first = fields[0];
  throw new ValidationError(first ? `Invalid ${what}: ${first.path}: ${first.message}` : `Invalid ${what}`, {
    fields,
  });
}
