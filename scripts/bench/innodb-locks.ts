import type { Knex } from 'knex';

/** InnoDB's lock counters, server-wide (anything else using this MySQL counts too). */
export async function innodbLocks(db: Knex): Promise<{ deadlocks: number; waits: number; waitMs: number }> {
  const [rows] = (await db.raw(
    `SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_deadlocks', 'Innodb_row_lock_waits', 'Innodb_row_lock_time')`,
  )) as [{ Variable_name: string; Value: string }[]];
  const v = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? NaN);
  return {
    deadlocks: v('Innodb_deadlocks'),
    waits: v('Innodb_row_lock_waits'),
    waitMs: v('Innodb_row_lock_time'),
  };
}
