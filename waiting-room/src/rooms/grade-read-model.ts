import type { Knex } from 'knex';
import { parseJson } from '../../../core/requests/request-store.js';

/**
 * The school years a registration room's window admits; null for a room that restricts nobody by year (a
 * sale room, or a room without a window). Undefined when there is no such room.
 */
export async function roomGrades(db: Knex, roomId: number): Promise<readonly number[] | null | undefined> {
  const row = await db('waiting_rooms as r')
    .leftJoin('registration_windows as w', 'w.id', 'r.registration_window_id')
    .where('r.id', roomId)
    .first<{ kind: string; grades: unknown } | undefined>('r.kind', 'w.grades');
  if (!row) return undefined;
  if (row.kind !== 'registration' || row.grades === null || row.grades === undefined) return null;
  const grades = parseJson(row.grades);
  return Array.isArray(grades) ? grades.filter((g): g is number => typeof g === 'number') : [];
}

/** Each user's school year (null for none, e.g. staff); users that don't exist are absent. */
export async function userGrades(db: Knex, userIds: readonly number[]): Promise<Map<number, number | null>> {
  const rows = await db('users')
    .whereIn('id', [...userIds])
    .select<{ id: number; grade: number | null }[]>('id', 'grade');
  return new Map(rows.map((r) => [r.id, r.grade]));
}
