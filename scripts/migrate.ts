import { loadConfig } from '../core/config.js';
import { createDb, databaseName } from '../core/db.js';
import { loadEnvFile } from '../core/env-file.js';
import { migrateLatest, migrateRollbackAll } from '../core/migrate.js';

/**
 * `tsx scripts/migrate.ts` creates the configured database when it is missing and applies every
 * pending migration. `--rollback-all` undoes them all (development only).
 */
async function main(): Promise<void> {
  loadEnvFile();
  const cfg = loadConfig();
  const name = databaseName(cfg.db.url);
  const server = createDb(cfg, { database: '', poolMax: 1 });
  try {
    await server.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [
      name,
    ]);
  } finally {
    await server.destroy();
  }
  const db = createDb(cfg, { poolMax: 2 });
  try {
    if (process.argv.includes('--rollback-all')) {
      if (cfg.env === 'production') throw new Error('--rollback-all is refused in production');
      const undone = await migrateRollbackAll(db);
      console.log(`rolled back ${undone.length} migration(s) in ${name}`);
      return;
    }
    const applied = await migrateLatest(db);
    console.log(
      applied.length ? `applied ${applied.length} migration(s) to ${name}` : `${name} is up to date`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
