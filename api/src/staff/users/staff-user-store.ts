import type { Knex } from 'knex';
import type { Role } from '../../../../core/auth/access-token.js';
import { PROFILE_COLUMNS, toUserProfile, type ProfileRow, type UserProfile } from '../../users/user-store.js';
import type { UserListQuery } from './staff-user-input.js';

/** An account as staff see it: its profile, never its password hash. */
export interface StaffUserView extends UserProfile {
  active: boolean;
  version: number;
  createdAt: string;
}

interface StaffUserRow extends ProfileRow {
  active: number;
  version: number;
  created_at: Date;
}

const COLUMNS = [...PROFILE_COLUMNS, 'u.active', 'u.version', 'u.created_at'];

function toView(row: StaffUserRow): StaffUserView {
  return {
    ...toUserProfile(row),
    active: Boolean(row.active),
    version: row.version,
    createdAt: row.created_at.toISOString(),
  };
}

const usersWithMajor = (db: Knex) => db('users as u').leftJoin('majors as m', 'm.id', 'u.major_id');

/** `LIKE 'text%'` matching the text literally: %, _ and \ typed by staff are not wildcards. */
export const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function findStaffUser(db: Knex, id: number): Promise<StaffUserView | undefined> {
  const row = await usersWithMajor(db).where('u.id', id).first<StaffUserRow | undefined>(COLUMNS);
  return row ? toView(row) : undefined;
}

/** One page in id order; `q` is a prefix of the username, student number or display name. */
export async function listStaffUsers(
  db: Knex,
  query: UserListQuery,
): Promise<{ users: StaffUserView[]; nextAfter: number | null }> {
  const q = usersWithMajor(db);
  if (query.q !== undefined) {
    const like = likePrefix(query.q);
    q.where((w) =>
      w
        .where('u.username', 'like', like)
        .orWhere('u.student_number', 'like', like)
        .orWhere('u.display_name', 'like', like),
    );
  }
  if (query.role) q.where('u.role', query.role);
  if (query.after !== undefined) q.where('u.id', '>', query.after);
  // One more than asked, to know whether another page follows without a count.
  const rows = await q
    .orderBy('u.id')
    .limit(query.limit + 1)
    .select<StaffUserRow[]>(COLUMNS);
  const page = rows.slice(0, query.limit).map(toView);
  const last = page.at(-1);
  return { users: page, nextAfter: rows.length > query.limit && last ? last.id : null };
}

/** What the audit log keeps of an account: its editable fields, never the password or its hash. */
export interface UserSnapshot {
  username: string;
  role: Role;
  displayName: string;
  studentNumber: string | null;
  majorId: number | null;
  grade: number | null;
  creditLimit: number;
  active: boolean;
  version: number;
}

/** The account's row locked for a change in `trx`, as its audit snapshot. */
export async function lockUserSnapshot(trx: Knex, id: number): Promise<UserSnapshot | undefined> {
  const row = await trx('users').where({ id }).forUpdate().first<
    | {
        username: string;
        role: Role;
        display_name: string;
        student_number: string | null;
        major_id: number | null;
        grade: number | null;
        credit_limit: number;
        active: number;
        version: number;
      }
    | undefined
  >('username', 'role', 'display_name', 'student_number', 'major_id', 'grade', 'credit_limit', 'active', 'version');
  if (!row) return undefined;
  return {
    username: row.username,
    role: row.role,
    displayName: row.display_name,
    studentNumber: row.student_number,
    majorId: row.major_id,
    grade: row.grade,
    creditLimit: row.credit_limit,
    active: Boolean(row.active),
    version: row.version,
  };
}

export interface NewUserRow {
  username: string;
  password_hash: string;
  role: Role;
  display_name: string;
  student_number: string | null;
  major_id: number | null;
  grade: number | null;
  credit_limit: number;
}

export async function insertUser(trx: Knex, row: NewUserRow): Promise<number> {
  const [id] = await trx('users').insert(row);
  if (id === undefined) throw new Error('insert into users returned no id');
  return id;
}

/** Which of the two unique keys an account would collide with, if any. */
export async function findTakenIdentity(
  trx: Knex,
  username: string,
  studentNumber: string | null,
): Promise<'username' | 'studentNumber' | undefined> {
  const rows = await trx('users')
    .where({ username })
    .modify((q) => {
      if (studentNumber !== null) q.orWhere({ student_number: studentNumber });
    })
    .limit(2)
    .select<{ username: string }[]>('username');
  // The column's collation is case-insensitive, so 'Kim' takes 'kim'.
  if (rows.some((r) => r.username.toLowerCase() === username.toLowerCase())) return 'username';
  return rows.length > 0 ? 'studentNumber' : undefined;
}

export const majorExists = async (trx: Knex, id: number): Promise<boolean> =>
  (await trx('majors').where({ id }).first('id')) !== undefined;

/** Ends every session of the account: their refresh tokens stop working at once. Returns how many. */
export const revokeUserRefreshTokens = (trx: Knex, userId: number, now: Date): Promise<number> =>
  trx('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: now });
