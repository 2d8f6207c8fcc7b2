import type { Knex } from 'knex';
import { createDb } from '../../core/db.js';
import { testConfig } from './test-config.js';

/**
 * The test run's view of the read replica (ADR 022). The global setup finds it; the replica's tests read
 * through it and pause its applier to make lag as large as it gets.
 */

const RUN_HINT =
  'start one with `npx tsx scripts/services.ts --replica` (scripts/test.sh does), or set DATABASE_READ_URL';

interface SlaveStatus {
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Last_IO_Error: string;
  Last_SQL_Error: string;
}

/** The replica's URL for the run's database once it has everything the primary has, or why not. */
export async function replicaForRun(
  primary: Knex,
  replicaUrl: string,
  database: string,
): Promise<{ url: string } | { missing: string }> {
  const url = new URL(replicaUrl);
  url.pathname = `/${database}`;
  const shown = `${url.hostname}:${url.port || 3306}`;
  const replica = createDb(testConfig({ DATABASE_URL: url.toString() }), { database: '', poolMax: 1 });
  try {
    const status = await slaveStatus(replica);
    if (!status) return { missing: `the server at ${shown} is no replica (SHOW SLAVE STATUS is empty)` };
    if (status.Slave_IO_Running !== 'Yes') {
      return {
        missing: `the replica at ${shown} does not replicate: ${status.Last_IO_Error || 'IO thread stopped'}`,
      };
    }
    if (!(await caughtUp(primary, replica, 30))) {
      return {
        missing: `the replica at ${shown} did not catch up in 30 s: ${status.Last_SQL_Error || 'applier paused'}`,
      };
    }
    return { url: url.toString() };
  } catch (err) {
    return { missing: `no read replica answers at ${shown} (${(err as Error).message})` };
  } finally {
    await replica.destroy();
  }
}

/** The run's replica URL; a clear failure, naming how to start one, when the global setup found none. */
export function replicaUrlForTests(): string {
  const url = process.env.TEST_DATABASE_READ_URL;
  if (url) return url;
  throw new Error(`${process.env.TEST_REPLICA_MISSING ?? 'no read replica'}: ${RUN_HINT}`);
}

export async function slaveStatus(replica: Knex): Promise<SlaveStatus | undefined> {
  const [rows] = (await replica.raw('SHOW SLAVE STATUS')) as [SlaveStatus[]];
  return rows[0];
}

/** Waits until the replica has applied what the primary had written when asked; false after `seconds`. */
export async function caughtUp(primary: Knex, replica: Knex, seconds = 30): Promise<boolean> {
  const [[pos]] = (await primary.raw('SELECT @@gtid_binlog_pos AS pos')) as [[{ pos: string }]];
  const [[waited]] = (await replica.raw('SELECT MASTER_GTID_WAIT(?, ?) AS waited', [pos.pos, seconds])) as [
    [{ waited: number }],
  ];
  return Number(waited.waited) === 0;
}

/** Stops the replica's applier: it still receives the primary's binary log but applies nothing. */
export async function pauseApplier(replica: Knex): Promise<void> {
  await replica.raw('STOP SLAVE SQL_THREAD');
}

export async function resumeApplier(replica: Knex): Promise<void> {
  await replica.raw('START SLAVE SQL_THREAD');
}
