import type { Knex } from 'knex';

/** Who may hold a session: every id up to `maxId` exists (accounts are deactivated, never deleted). */
export interface StandingSnapshot {
  maxId: number;
  inactive: ReadonlySet<number>;
}

/** Two reads per refresh: MAX(id) from the primary key, and the (few) deactivated accounts. */
export async function loadUserStanding(db: Knex): Promise<StandingSnapshot> {
  const [max, inactive] = await Promise.all([
    db('users').max({ maxId: 'id' }).first<{ maxId: number | string | null } | undefined>(),
    db('users').where({ active: false }).pluck<number[]>('id'),
  ]);
  return { maxId: Number(max?.maxId ?? 0), inactive: new Set(inactive.map(Number)) };
}
