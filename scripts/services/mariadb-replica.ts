import { rm } from 'node:fs/promises';
import path from 'node:path';
import { escape } from 'mysql2/promise';
import {
  installMariadbIfMissing,
  mariadbGaveUp,
  mariadbLayout,
  PRIMARY_BINLOG_ARGS,
  rootClient,
  rootQuery,
  startMariadb,
  type MariadbLayout,
  type RootClient,
} from './mariadb.js';
import type { ServicePaths } from './paths.js';
import { formatProbe, parseMysqlUrl, probeMysql, waitUntilAnswering, type MysqlTarget } from './probe.js';
import { ServiceError } from './service-error.js';
import { isAlive, readPid, run, sleep, which } from './system.js';

/**
 * A local MariaDB read replica of the local primary (ADR 022), for development and CI: its own mariadbd
 * on loopback with its own datadir, seeded from a consistent dump of the primary and then following the
 * primary's binary log by GTID. Safe to repeat: a replica that replicates is left as it is, a stopped one
 * is started, a broken one is seeded again.
 */

export interface ReplicaOptions {
  /** DATABASE_URL: the primary (must be on this machine). */
  readonly primaryUrl: string;
  /** Where the replica listens and the account the apps read with (DATABASE_READ_URL's, or the primary's). */
  readonly replicaUrl: string;
  readonly replication: { readonly user: string; readonly password: string };
  readonly paths: ServicePaths;
  readonly log: (line: string) => void;
  readonly waitMs: number;
}

const SYSTEM_SCHEMAS = ['information_schema', 'performance_schema', 'mysql', 'sys'];

/** The replica's own settings: read-only for everyone but root, and a server id of its own. */
export function replicaArgs(port: number): string[] {
  return [`--server-id=${port}`, '--read-only=1', '--skip-log-bin'];
}

/** The replica's URL when DATABASE_READ_URL is unset: the primary's account and database on `port`. */
export function defaultReplicaUrl(primaryUrl: string, port: number): string {
  const url = new URL(primaryUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

export async function ensureReplica(options: ReplicaOptions): Promise<void> {
  const { log } = options;
  const primary = parseMysqlUrl(options.primaryUrl);
  const replica = parseMysqlUrl(options.replicaUrl);
  if (!primary.local || !replica.local) {
    throw new ServiceError(
      `--replica starts a replica of a primary on this machine; ${primary.local ? replica.address : primary.address} ` +
        'is not local. Point DATABASE_READ_URL at your own replica instead.',
    );
  }
  if (primary.port === replica.port) throw new ServiceError('the replica needs a port of its own');

  const primaryLayout = mariadbLayout(primary.port, options.paths);
  let primaryRoot = await rootClient(primary.port, primaryLayout.socket);
  if (!(await hasBinlog(primaryRoot))) {
    await restartPrimaryWithBinlog(primary, primaryRoot, primaryLayout, options);
    primaryRoot = await rootClient(primary.port, primaryLayout.socket);
  }
  await ensureReplicationUser(primaryRoot, options.replication);

  const replicaLayout = mariadbLayout(replica.port, options.paths);
  await startReplicaIfDown(replica, options.replicaUrl, replicaLayout, options);
  const replicaRoot = await rootClient(replica.port, replicaLayout.socket);
  await ensureReaderAccount(replicaRoot, replica);

  await ensureReplicating(primaryRoot, replicaRoot, primary, replica, options);
  log(`✔ replica at ${replica.address} replicates ${primary.address}`);
  await catchUp(primaryRoot, replicaRoot, options.waitMs);
}

/** Leaves a replicating replica alone, starts a stopped one, and seeds one again that cannot go on. */
async function ensureReplicating(
  primaryRoot: RootClient,
  replicaRoot: RootClient,
  primary: MysqlTarget,
  replica: MysqlTarget,
  options: ReplicaOptions,
): Promise<void> {
  const state = await replicationState(replicaRoot, primary);
  if (state === 'healthy') return;
  if (state === 'stopped') {
    options.log(`… replica at ${replica.address} was stopped; starting replication`);
    await rootQuery(replicaRoot, 'START SLAVE');
    if (await becomesHealthy(replicaRoot, primary, 10_000)) return;
  }
  options.log(`… seeding the replica at ${replica.address} from ${primary.address} (${state})`);
  await seed(primaryRoot, replicaRoot, primary, options);
  if (!(await becomesHealthy(replicaRoot, primary, options.waitMs))) {
    throw new ServiceError(
      `the replica at ${replica.address} does not replicate:\n${await replicationErrors(replicaRoot)}`,
    );
  }
}

async function hasBinlog(root: RootClient): Promise<boolean> {
  const [row] = await rootQuery(root, 'SELECT @@log_bin AS log_bin');
  return row?.log_bin === '1';
}

/**
 * log_bin is read-only while the server runs, so a primary started without it must be restarted. Only
 * one whose datadir is the one we would start it on; its clients lose their connections for a moment.
 */
async function restartPrimaryWithBinlog(
  primary: MysqlTarget,
  root: RootClient,
  layout: MariadbLayout,
  options: ReplicaOptions,
): Promise<void> {
  const [row] = await rootQuery(root, 'SELECT @@datadir AS datadir, @@pid_file AS pid_file');
  const datadir = (row?.datadir ?? '').replace(/\/$/, '');
  if (datadir !== layout.datadir.replace(/\/$/, '')) {
    throw new ServiceError(
      `the primary at ${primary.address} has no binary log and its datadir (${datadir}) is not the one ` +
        `Rushline starts it on (${layout.datadir}), so it is not restarted here. Start it with ` +
        `${PRIMARY_BINLOG_ARGS.join(' ')}, then run this again.`,
    );
  }
  options.log(
    `⚠ the primary at ${primary.address} runs without a binary log, which a replica needs; restarting it ` +
      'with one (its clients lose their connections for a few seconds; later starts keep it)',
  );
  const pid = await readPid(row?.pid_file ?? layout.pidFile);
  await rootQuery(root, 'SHUTDOWN');
  const deadline = Date.now() + options.waitMs;
  while (pid !== undefined && isAlive(pid)) {
    if (Date.now() > deadline) throw new ServiceError(`the primary (pid ${pid}) did not shut down`);
    await sleep(200);
  }
  const mariadbd = await installMariadbIfMissing(options.log);
  await startMariadb(mariadbd, primary, layout, options.paths, options.log);
  const answer = await waitUntilAnswering(() => probeMysql(options.primaryUrl), {
    timeoutMs: options.waitMs,
    gaveUp: () => mariadbGaveUp(layout),
  });
  if (answer.status !== 'ok') {
    throw new ServiceError(`${formatProbe(answer)}\n  the restarted primary: look at ${layout.logFile}`);
  }
}

async function ensureReplicationUser(
  root: RootClient,
  account: ReplicaOptions['replication'],
): Promise<void> {
  const who = `${escape(account.user)}@'127.0.0.1'`;
  await rootQuery(
    root,
    "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '');\n" +
      `CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY ${escape(account.password)};\n` +
      `GRANT REPLICATION SLAVE ON *.* TO ${who};`,
  );
}

async function startReplicaIfDown(
  replica: MysqlTarget,
  replicaUrl: string,
  layout: MariadbLayout,
  options: ReplicaOptions,
): Promise<void> {
  const first = await probeMysql(replicaUrl);
  if (first.status !== 'unreachable') return;
  const mariadbd = await installMariadbIfMissing(options.log);
  await startMariadb(mariadbd, replica, layout, options.paths, options.log, replicaArgs(replica.port));
  const answer = await waitUntilAnswering(() => probeMysql(replicaUrl), {
    timeoutMs: options.waitMs,
    gaveUp: () => mariadbGaveUp(layout),
  });
  if (answer.status === 'unreachable') {
    throw new ServiceError(`the replica at ${replica.address} does not answer: look at ${layout.logFile}`);
  }
}

/**
 * The apps' account on the replica: it reads, and may pause and resume the applier (the replica tests
 * do, to make lag visible), but holds no write right, so read_only and the grants both refuse writes.
 */
async function ensureReaderAccount(root: RootClient, replica: MysqlTarget): Promise<void> {
  const lines = ["SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '');"];
  for (const host of ['localhost', '127.0.0.1']) {
    const who = `${escape(replica.user)}@${escape(host)}`;
    lines.push(
      `CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY ${escape(replica.password)};`,
      `GRANT SELECT, SHOW VIEW, REPLICATION SLAVE ADMIN, SLAVE MONITOR ON *.* TO ${who};`,
    );
  }
  await rootQuery(root, lines.join('\n'));
}

type ReplicationState = 'healthy' | 'stopped' | 'unconfigured' | 'broken' | 'other-primary';

async function replicationState(root: RootClient, primary: MysqlTarget): Promise<ReplicationState> {
  const [status] = await rootQuery(root, 'SHOW SLAVE STATUS');
  if (!status) return 'unconfigured';
  if (status.Master_Port !== String(primary.port) || status.Using_Gtid !== 'Slave_Pos')
    return 'other-primary';
  if (status.Last_IO_Errno !== '0' || status.Last_SQL_Errno !== '0') return 'broken';
  if (status.Slave_IO_Running === 'Yes' && status.Slave_SQL_Running === 'Yes') return 'healthy';
  // Stopped by hand (STOP SLAVE), or its applier paused by a test that did not get to resume it.
  return 'stopped';
}

async function becomesHealthy(root: RootClient, primary: MysqlTarget, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [status] = await rootQuery(root, 'SHOW SLAVE STATUS');
    if (status?.Slave_IO_Running === 'Yes' && status.Slave_SQL_Running === 'Yes') return true;
    const state = await replicationState(root, primary);
    if (state === 'broken' || Date.now() > deadline) return false;
    await sleep(250);
  }
}

async function replicationErrors(root: RootClient): Promise<string> {
  const [status] = await rootQuery(root, 'SHOW SLAVE STATUS');
  if (!status) return '  (no replication configured)';
  return [
    `  IO thread: ${status.Slave_IO_Running} ${status.Last_IO_Error ?? ''}`,
    `  SQL thread: ${status.Slave_SQL_Running} ${status.Last_SQL_Error ?? ''}`,
  ].join('\n');
}

/**
 * Starts the replica over from a consistent dump of every database the primary holds, taken with the
 * GTID it stands at, then replicates from that GTID. A dump (rather than replaying the binary log from
 * its start) because the primary held databases before its binary log existed. Concurrent test runs
 * may drop their database mid-dump, so a failed dump is tried again.
 */
async function seed(
  primaryRoot: RootClient,
  replicaRoot: RootClient,
  primary: MysqlTarget,
  options: ReplicaOptions,
): Promise<void> {
  await rootQuery(replicaRoot, 'STOP SLAVE; RESET SLAVE ALL');
  const stale = await userDatabases(replicaRoot);
  if (stale.length > 0) {
    await rootQuery(replicaRoot, stale.map((db) => `DROP DATABASE \`${db}\`;`).join('\n'));
  }
  const dumpFile = path.join(options.paths.run, 'mariadb-replica-seed.sql');
  let gtid: string;
  try {
    gtid = await dumpPrimary(primaryRoot, dumpFile);
    const load = await run('sh', [
      '-c',
      `"$0" "$@" < "${dumpFile}"`,
      replicaRoot.client,
      ...replicaRoot.args,
    ]);
    if (load.code !== 0) throw new ServiceError(`loading the dump into the replica failed:\n${load.stderr}`);
  } finally {
    await rm(dumpFile, { force: true });
  }
  await rootQuery(
    replicaRoot,
    "SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '');\n" +
      `SET GLOBAL gtid_slave_pos = ${escape(gtid)};\n` +
      `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primary.port}, ` +
      `MASTER_USER = ${escape(options.replication.user)}, MASTER_PASSWORD = ${escape(options.replication.password)}, ` +
      'MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1;\n' +
      'START SLAVE;',
  );
}

async function userDatabases(root: RootClient): Promise<string[]> {
  const rows = await rootQuery(root, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
  return rows.map((r) => r.name ?? '').filter((name) => name !== '' && !SYSTEM_SCHEMAS.includes(name));
}

/** Dumps the primary's databases to `file`; returns the GTID position the dump is consistent with. */
async function dumpPrimary(root: RootClient, file: string): Promise<string> {
  const dump = await which('mariadb-dump', 'mysqldump');
  if (!dump) throw new ServiceError('mariadb-dump is not installed (apt-get install mariadb-client)');
  const login = root.args.filter((a) => /^--(protocol|socket|user)=/.test(a));
  for (let attempt = 1; ; attempt++) {
    const databases = await userDatabases(root);
    const result = await run('sh', [
      '-c',
      `"$0" "$@" > "${file}"`,
      dump,
      ...login,
      // One transaction's snapshot, and the GTID it stands at written as a comment (--master-data=2).
      '--single-transaction',
      '--master-data=2',
      '--gtid',
      '--routines',
      '--triggers',
      '--events',
      '--databases',
      ...databases,
    ]);
    if (result.code === 0) {
      // mariadb-dump writes the GTID line after the data, so it is looked for in the whole file.
      const found = await run('grep', ['-m1', '-o', "gtid_slave_pos *= *'[^']*'", file]);
      const match = /'([^']*)'/.exec(found.stdout);
      if (!match) throw new ServiceError(`no GTID position (gtid_slave_pos) in the dump ${file}`);
      return match[1] ?? '';
    }
    if (attempt >= 3) throw new ServiceError(`mariadb-dump of the primary failed:\n${result.stderr}`);
    await sleep(500);
  }
}

/**
 * Waits until the replica has applied everything the primary had written when we asked: as long as it
 * keeps applying (a replica left behind by a day of benchmarks needs minutes, not a failed set-up), and
 * fails once a whole `waitMs` passes with its position unmoved.
 */
async function catchUp(primaryRoot: RootClient, replicaRoot: RootClient, waitMs: number): Promise<void> {
  const [row] = await rootQuery(primaryRoot, 'SELECT @@gtid_binlog_pos AS pos');
  const pos = row?.pos ?? '';
  if (pos === '') return;
  const applied = async () => (await rootQuery(replicaRoot, 'SELECT @@gtid_slave_pos AS pos'))[0]?.pos ?? '';
  for (let before = await applied(); ;) {
    const [waited] = await rootQuery(
      replicaRoot,
      `SELECT MASTER_GTID_WAIT(${escape(pos)}, ${Math.ceil(waitMs / 1000)}) AS waited`,
    );
    if (waited?.waited === '0') return;
    const now = await applied();
    if (now === before) {
      throw new ServiceError(
        `the replica did not catch up with the primary (at ${pos}): stuck at ${now || 'nothing'} for ${waitMs / 1000} s`,
      );
    }
    before = now;
  }
}
