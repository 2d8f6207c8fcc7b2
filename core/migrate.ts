import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

const here = path.dirname(fileURLToPath(import.meta.url));
// Source runs under tsx (.ts files); the built image runs dist/ (.js files).
const runningFromSource = import.meta.url.endsWith('.ts');

export const migrationConfig: Knex.MigratorConfig = {
  directory: path.resolve(here, '..', 'migrations'),
  loadExtensions: runningFromSource ? ['.ts'] : ['.js'],
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
