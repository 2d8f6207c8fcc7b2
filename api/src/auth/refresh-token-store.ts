import type { Knex } from 'knex';

export interface RefreshTokenRow {
  id: number;
  user_id: number;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

export const insertRefreshToken = (
  db: Knex,
  row: Pick<RefreshTokenRow, 'user_id' | 'family_id' | 'token_hash' | 'expires_at'>,
) => db('refresh_tokens').insert(row);

/** The family a refresh token belongs to; undefined for a token never issued. */
export async function findRefreshFamily(db: Knex, tokenHash: string): Promise<string | undefined> {
  const row = await db<RefreshTokenRow>('refresh_tokens').where({ token_hash: tokenHash }).first('family_id');
  return row?.family_id;
}

/** Locks the token's row so two concurrent refreshes with one token can't both succeed. */
export const lockRefreshToken = (
  trx: Knex.Transaction,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> =>
  trx<RefreshTokenRow>('refresh_tokens').where({ token_hash: tokenHash }).first().forUpdate();

export const markRefreshTokenUsed = (db: Knex, id: number, at: Date) =>
  db('refresh_tokens').where({ id }).update({ used_at: at });

export const revokeRefreshFamily = (db: Knex, familyId: string, at: Date) =>
  db('refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: at });
