import knex, { type Knex } from 'knex';
import type { Config } from './config.js';

/**
 * Builds the knex pool. Every connection runs in UTC so DATETIME(3) columns and NOW(3) agree with
 * JavaScript Dates whatever the server's own time zone is.
 */
export function createDb(
  cfg: Pick<Config, 'db'>,
  overrides: { database?: string; poolMax?: number; url?: string } = {},
): Knex {
  const url = new URL(overrides.url ?? cfg.db.url);
  const database = overrides.database ?? decodeURIComponent(url.pathname.slice(1));
  return knex({
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: database || undefined,
      timezone: 'Z',
      dateStrings: false,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: 'utf8mb4',
      connectTimeout: 5_000,
    },
    pool: {
      min: 0,
      max: overrides.poolMax ?? cfg.db.poolMax,
      afterCreate: (conn: PoolConnection, done: (err: Error | null, conn: PoolConnection) => void) => {
        conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 10_000,
  });
}

/**
 * The pool for reads that may lag the primary by a moment (ADR 022): DATABASE_READ_URL's replica, or
 * undefined when none is configured (the caller then hands its primary pool to those reads as well).
 */
export function createReadDb(cfg: Pick<Config, 'db'>): Knex | undefined {
  return cfg.db.readUrl === undefined ? undefined : createDb(cfg, { url: cfg.db.readUrl });
}

interface PoolConnection {
  query(sql: string, cb: (err: Error | null) => void): void;
}

/** The database name from a mysql:// URL. */
export function databaseName(dbUrl: string): string {
  return decodeURIComponent(new URL(dbUrl).pathname.slice(1));
}

/** mysql2 error codes that mean "run the whole transaction again". */
export const RETRYABLE_DB_ERRORS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export function isDbErrorCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

let autoIncrement: Promise<{ consecutive: boolean; step: number }> | undefined;

/**
 * The ids MySQL gave a multi-row INSERT, from the first one it reports, when the server guarantees a
 * statement's ids are consecutive (innodb_autoinc_lock_mode 0 or 1: MariaDB's default); otherwise
 * undefined and the caller reads them back. Saves a round trip inside a hot row's lock.
 */
export async function insertedIds(
  db: Knex,
  firstId: number | undefined,
  count: number,
): Promise<number[] | undefined> {
  autoIncrement ??= db
    .raw('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step')
    .then(([rows]: [{ mode: number | string; step: number | string }[]]) => ({
      consecutive: Number(rows[0]?.mode) <= 1,
      step: Number(rows[0]?.step ?? 1),
    }))
    .catch((err: unknown) => {
      autoIncrement = undefined;
      throw err;
    });
  const { consecutive, step } = await autoIncrement;
  if (!consecutive || firstId === undefined) return undefined;
  return Array.from({ length: count }, (_, i) => firstId + i * step);
}
