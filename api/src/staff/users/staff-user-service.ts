import type { Knex } from 'knex';
import { writeAudit } from '../../../../core/audit.js';
import { hashPassword } from '../../../../core/auth/password.js';
import { isDbErrorCode } from '../../../../core/db.js';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  UnprocessableError,
} from '../../../../core/errors.js';
import { updateIfVersion } from '../../../../core/http/row-version.js';
import type { CreateUserBody, UpdateUserBody } from './staff-user-input.js';
import {
  findTakenIdentity,
  insertUser,
  lockUserSnapshot,
  majorExists,
  revokeUserRefreshTokens,
  type UserSnapshot,
} from './staff-user-store.js';

const ENTITY = 'user';

const taken = (what: 'username' | 'studentNumber') =>
  what === 'username'
    ? new ConflictError('USERNAME_TAKEN', 'Another account already has this username')
    : new ConflictError('STUDENT_NUMBER_TAKEN', 'Another account already has this student number');

async function requireMajor(trx: Knex, majorId: number | null | undefined): Promise<void> {
  if (majorId !== null && majorId !== undefined && !(await majorExists(trx, majorId))) {
    throw new UnprocessableError('MAJOR_NOT_FOUND', `No major ${majorId}`);
  }
}

async function lockExisting(trx: Knex, id: number): Promise<UserSnapshot> {
  const before = await lockUserSnapshot(trx, id);
  if (!before) throw new NotFoundError('USER_NOT_FOUND', `No user ${id}`);
  return before;
}

/** Creates a student or staff account with its audit row; the password is hashed before the transaction. */
export async function createUser(db: Knex, actorUserId: number, body: CreateUserBody): Promise<number> {
  // scrypt takes tens of milliseconds: done outside the transaction so no lock is held meanwhile.
  const passwordHash = await hashPassword(body.password);
  const student = body.role === 'student' ? body : undefined;
  try {
    return await db.transaction(async (trx) => {
      const clash = await findTakenIdentity(trx, body.username, student?.studentNumber ?? null);
      if (clash) throw taken(clash);
      await requireMajor(trx, student?.majorId);
      const id = await insertUser(trx, {
        username: body.username,
        password_hash: passwordHash,
        role: body.role,
        display_name: body.displayName,
        student_number: student?.studentNumber ?? null,
        major_id: student?.majorId ?? null,
        grade: student?.grade ?? null,
        credit_limit: student?.creditLimit ?? 18,
      });
      const after = await lockExisting(trx, id);
      await writeAudit(trx, { actorUserId, entity: ENTITY, entityId: id, action: 'create', after });
      return id;
    });
  } catch (err) {
    // Two creations racing past the check: the unique keys decide, and the loser gets the same 409.
    if (isDbErrorCode(err, 'ER_DUP_ENTRY')) {
      throw taken(String((err as Error).message).includes('student_number') ? 'studentNumber' : 'username');
    }
    throw err;
  }
}

/** Changes an account's profile or active flag if it is still at `expected`; audited before/after. */
export async function updateUser(
  db: Knex,
  actorUserId: number,
  id: number,
  expected: number,
  body: UpdateUserBody,
): Promise<void> {
  await db.transaction(async (trx) => {
    const before = await lockExisting(trx, id);
    const studentOnly = body.majorId !== undefined || body.grade !== undefined;
    if (studentOnly && before.role !== 'student') {
      throw new BadRequestError('NOT_A_STUDENT', 'Only a student account has a major and a grade');
    }
    // Nobody locks the office out by accident: another staff member must deactivate you.
    if (body.active === false && id === actorUserId) {
      throw new ConflictError('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate your own account');
    }
    await requireMajor(trx, body.majorId);
    const changes: Record<string, unknown> = {};
    if (body.displayName !== undefined) changes.display_name = body.displayName;
    if (body.majorId !== undefined) changes.major_id = body.majorId;
    if (body.grade !== undefined) changes.grade = body.grade;
    if (body.creditLimit !== undefined) changes.credit_limit = body.creditLimit;
    if (body.active !== undefined) changes.active = body.active;
    await updateIfVersion(trx, 'users', id, expected, changes);
    // A deactivated account's sessions end now, not when their refresh tokens expire.
    if (body.active === false) await revokeUserRefreshTokens(trx, id, new Date());
    const after = await lockExisting(trx, id);
    await writeAudit(trx, { actorUserId, entity: ENTITY, entityId: id, action: 'update', before, after });
  });
}

/**
 * Sets a new password and signs the account out everywhere. The audit row says only that the password
 * was reset: neither the password nor its hash is written anywhere but the users row.
 */
export async function resetPassword(
  db: Knex,
  actorUserId: number,
  id: number,
  expected: number,
  password: string,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    const before = await lockExisting(trx, id);
    await updateIfVersion(trx, 'users', id, expected, { password_hash: passwordHash });
    const revoked = await revokeUserRefreshTokens(trx, id, new Date());
    await writeAudit(trx, {
      actorUserId,
      entity: ENTITY,
      entityId: id,
      action: 'password_reset',
      before: { version: before.version },
      after: { version: before.version + 1, change: 'password reset', sessionsRevoked: revoked },
    });
  });
}
