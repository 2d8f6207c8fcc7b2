import type { Knex } from 'knex';
import type { Role } from '../../../core/auth/access-token.js';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  display_name: string;
  student_number: string | null;
  major_id: number | null;
  grade: number | null;
  credit_limit: number;
  /** 0 once staff deactivated the account (a BOOLEAN is TINYINT(1), read as a number). */
  active: number;
}

export interface UserProfile {
  id: number;
  username: string;
  role: Role;
  displayName: string;
  studentNumber: string | null;
  major: { id: number; code: string; name: string } | null;
  grade: number | null;
  creditLimit: number;
}

export const findUserByUsername = (db: Knex, username: string): Promise<UserRow | undefined> =>
  db<UserRow>('users').where({ username }).first();

/** What a token is signed for (id, name, role) and whether the account may still sign in. */
export type SignInUser = Pick<UserRow, 'id' | 'username' | 'role' | 'active'>;

export const findSignInUser = (db: Knex, id: number): Promise<SignInUser | undefined> =>
  db<UserRow>('users').where({ id }).first('id', 'username', 'role', 'active');

/** The row shape PROFILE_COLUMNS select: a user with their major's code and name. */
export interface ProfileRow {
  id: number;
  username: string;
  role: Role;
  display_name: string;
  student_number: string | null;
  grade: number | null;
  credit_limit: number;
  major_id: number | null;
  major_code: string | null;
  major_name: string | null;
}

/** Columns of `users as u` left-joined with `majors as m` that make a profile. */
export const PROFILE_COLUMNS = [
  'u.id',
  'u.username',
  'u.role',
  'u.display_name',
  'u.student_number',
  'u.grade',
  'u.credit_limit',
  'm.id as major_id',
  'm.code as major_code',
  'm.name as major_name',
] as const;

export function toUserProfile(row: ProfileRow): UserProfile {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    displayName: row.display_name,
    studentNumber: row.student_number,
    major:
      row.major_id !== null && row.major_code !== null && row.major_name !== null
        ? { id: row.major_id, code: row.major_code, name: row.major_name }
        : null,
    grade: row.grade,
    creditLimit: row.credit_limit,
  };
}

export async function findUserProfile(db: Knex, id: number): Promise<UserProfile | undefined> {
  const row = await db('users as u')
    .leftJoin('majors as m', 'm.id', 'u.major_id')
    .where('u.id', id)
    .first<ProfileRow | undefined>(...PROFILE_COLUMNS);
  return row ? toUserProfile(row) : undefined;
}
