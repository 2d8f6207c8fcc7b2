import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { loadConfig } from '../core/config.js';
import { createDb, databaseName } from '../core/db.js';
import { hasNoUsers, seedDemo, truncateAllTables, type SeedCounts } from './seed/seed-demo.js';

export { seedDemo, seedIfEmpty, type SeedCounts, type SeedOptions } from './seed/seed-demo.js';

const USAGE = `Usage: tsx scripts/seed.ts [--if-empty | --force] [--students N] [--allow-production]

Fills the database named by DATABASE_URL with the demo data set (term, catalogue, students, events,
waiting rooms). Run the migrations first.

  --if-empty     seed only when the users table is empty, else do nothing (used by the start script)
  --force        empty EVERY table first (all data is lost), then seed
  --students N   how many students to create (default 20000)
  --allow-production
                 seed even when NODE_ENV=production (the demo accounts' passwords are published)
  --help         show this text`;

interface CliOptions {
  ifEmpty: boolean;
  force: boolean;
  students: number | undefined;
  allowProduction: boolean;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      'if-empty': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      students: { type: 'string' },
      'allow-production': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values['if-empty'] && values.force) throw new Error('--if-empty and --force contradict each other');
  let students: number | undefined;
  if (values.students !== undefined) {
    if (!/^\d+$/.test(values.students))
      throw new Error(`--students must be a whole number, got "${values.students}"`);
    students = Number(values.students);
  }
  return {
    ifEmpty: values['if-empty'],
    force: values.force,
    students,
    allowProduction: values['allow-production'],
  };
}

function printCounts(counts: SeedCounts, ms: number): void {
  const width = Math.max(...Object.keys(counts).map((k) => k.length));
  for (const [name, n] of Object.entries(counts)) console.log(`  ${name.padEnd(width)}  ${n}`);
  console.log(`Seeded in ${(ms / 1000).toFixed(1)} s.`);
}

async function run(db: Knex, dbName: string, opts: CliOptions): Promise<number> {
  if (!(await db.schema.hasTable('users'))) {
    console.error(`Database "${dbName}" has no users table: run the migrations first (npm run migrate).`);
    return 1;
  }
  if (!(await hasNoUsers(db))) {
    if (opts.ifEmpty) {
      console.log(`Database "${dbName}" already has users; not seeding (--if-empty).`);
      return 0;
    }
    if (!opts.force) {
      console.error(
        `Database "${dbName}" already has data, so seeding would clash with it. ` +
          'Use --if-empty to skip seeding in that case, or --force to DELETE ALL DATA and seed again.',
      );
      return 1;
    }
    const emptied = await truncateAllTables(db);
    console.log(`--force: emptied ${emptied.length} tables in "${dbName}".`);
  }
  const started = performance.now();
  const counts = await seedDemo(db, { students: opts.students });
  printCounts(counts, performance.now() - started);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let opts: CliOptions | 'help';
  try {
    opts = parseCli(argv);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return 0;
  }
  const cfg = loadConfig();
  // The demo's admin and students sign in with passwords printed in the README (ADR 014).
  if (cfg.env === 'production' && !opts.allowProduction) {
    console.error(
      'Refusing to seed: NODE_ENV=production, and the demo accounts have published passwords. ' +
        'Pass --allow-production to seed a demo deployment anyway.',
    );
    return 1;
  }
  const db = createDb(cfg, { poolMax: 2 });
  try {
    return await run(db, databaseName(cfg.db.url), opts);
  } finally {
    await db.destroy();
  }
}

// Run only as a script, so tests and other tools can import seedDemo from here.
const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
