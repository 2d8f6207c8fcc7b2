import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const here = path.dirname(fileURLToPath(import.meta.url));
const directory = path.resolve(here, '..', 'migrations');
// Source runs under tsx (.ts files); the built image runs dist/ (.js files).
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const MIGRATION_FILE = /^(\d{14}_[a-z0-9_]+)\.(ts|js)$/;

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Lists only `YYYYMMDDHHMMSS_name.ts|js` files (so tests and helpers may live beside them) and records
 * each migration by its name without extension, so a database migrated from source and the compiled
 * image agree on what has run.
 */
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    const files = await readdir(directory);
    return files
      .map((file) => MIGRATION_FILE.exec(file))
      .filter((m): m is RegExpExecArray => m !== null && `.${m[2]}` === extension)
      .map((m) => m[1] as string)
      .sort();
  },
  getMigrationName: (name) => name,
  async getMigration(name) {
    return (await import(pathToFileURL(path.join(directory, `${name}${extension}`)).href)) as MigrationModule;
  },
};

export const migrationConfig: Knex.MigratorConfig = {
  migrationSource,
  tableName: 'knex_migrations',
  // MySQL commits DDL implicitly, so a transaction around a migration protects nothing.
  disableTransactions: true,
};

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migrationConfig)) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(db: Knex): Promise<string[]> {
  const [, rolledBack] = (await db.migrate.rollback(migrationConfig, true)) as [number, string[]];
  return rolledBack;
}
