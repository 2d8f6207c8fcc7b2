import { z } from 'zod';
import { decimalId, decimalLimit } from '../../../../core/http/decimal-id.js';

/** Request shapes of /api/staff/users; every body is strict so a misspelt field is refused, not ignored. */

export const userListQuery = z
  .object({
    q: z.string().trim().min(1).max(64).optional(),
    role: z.enum(['student', 'staff']).optional(),
    after: decimalId.optional(),
    limit: decimalLimit(100, 50),
  })
  .strict();
export type UserListQuery = z.output<typeof userListQuery>;

const username = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,64}$/, 'must be 3 to 64 letters, digits, dots, dashes or underscores');
// Long enough to resist guessing; bounded so one request can't make scrypt hash megabytes.
const password = z.string().min(8, 'must be at least 8 characters').max(256);
const displayName = z.string().trim().min(1).max(128);
const studentNumber = z.string().regex(/^[A-Za-z0-9-]{1,16}$/, 'must be 1 to 16 letters, digits or dashes');
const majorId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const grade = z.number().int().min(1).max(4);
const creditLimit = z.number().int().min(0).max(60);

export const createUserBody = z.discriminatedUnion('role', [
  z
    .object({
      role: z.literal('student'),
      username,
      password,
      displayName,
      studentNumber,
      majorId: majorId.nullable().default(null),
      grade,
      creditLimit: creditLimit.default(18),
    })
    .strict(),
  z.object({ role: z.literal('staff'), username, password, displayName }).strict(),
]);
export type CreateUserBody = z.output<typeof createUserBody>;

export const updateUserBody = z
  .object({
    displayName: displayName.optional(),
    majorId: majorId.nullable().optional(),
    grade: grade.optional(),
    creditLimit: creditLimit.optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'change at least one field');
export type UpdateUserBody = z.output<typeof updateUserBody>;

export const passwordBody = z.object({ password }).strict();
