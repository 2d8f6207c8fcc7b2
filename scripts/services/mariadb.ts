import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createConnection, escape, escapeId, type Connection, type RowDataPacket } from 'mysql2/promise';
import { aptInstall } from './apt.js';
import { startDaemon } from './daemon.js';
import type { ServicePaths } from './paths.js';
import type { MysqlTarget } from './probe.js';
import { ServiceError } from './service-error.js';
import { exists, isAlive, isRoot, readPid, run, runOrThrow, tail, which } from './system.js';

/** Installing, starting and provisioning a local MariaDB for Rushline. */

export interface MariadbLayout {
  readonly datadir: string;
  readonly socket: string;
  /** Written by mariadbd itself, as the mysql user. */
  readonly pidFile: string;
  /** Written by start-stop-daemon (as root), so we can tell early whether mariadbd died. */
  readonly launcherPidFile: string;
  readonly logFile: string;
}

/**
 * Port 3306 uses Debian's own datadir and socket so the packaged root account (unix_socket auth)
 * works as usual; any other port gets a datadir of its own, because two servers cannot share one.
 */
export function mariadbLayout(port: number, paths: ServicePaths): MariadbLayout {
  const suffix = port === 3306 ? '' : `-${port}`;
  return {
    datadir: port === 3306 ? '/var/lib/mysql' : path.join(paths.data, `mariadb-${port}`),
    socket: `/run/mysqld/mysqld${suffix}.sock`,
    pidFile: `/run/mysqld/mysqld${suffix}.pid`,
    launcherPidFile: path.join(paths.run, `mariadb-${port}.pid`),
    logFile: path.join(paths.log, `mariadb-${port}.log`),
  };
}

export async function installMariadbIfMissing(log: (line: string) => void): Promise<string> {
  const found = await which('mariadbd', 'mysqld');
  if (found) return found;
  await aptInstall(['mariadb-server', 'mariadb-client'], log);
  const installed = await which('mariadbd', 'mysqld');
  if (!installed) throw new ServiceError('mariadb-server installed but no mariadbd binary found');
  return installed;
}

async function chownMysql(...targets: string[]): Promise<void> {
  await runOrThrow('chown', ['mysql:mysql', ...targets]);
}

/**
 * What every primary we start runs with: a binary log, so a replica (scripts/services.ts --replica,
 * ADR 022) can follow it from any moment on. Always on, not only when a replica is asked for: a primary
 * restarted once without it would leave a replica silently missing what happened meanwhile.
 */
export const PRIMARY_BINLOG_ARGS: readonly string[] = [
  '--server-id=1',
  '--log-bin=mariadb-bin',
  // Test runs create and drop a database each; two days of binlog is plenty for a replica that was stopped.
  '--binlog-expire-logs-seconds=172800',
];

export async function startMariadb(
  mariadbd: string,
  target: MysqlTarget,
  layout: MariadbLayout,
  paths: ServicePaths,
  log: (line: string) => void,
  extraArgs: readonly string[] = PRIMARY_BINLOG_ARGS,
): Promise<void> {
  // mariadbd refuses to run as root and drops to --user=mysql, which only root may ask for.
  if (!isRoot()) {
    throw new ServiceError(
      `MySQL at ${target.address} does not answer and starting MariaDB needs root ` +
        `(run this script with sudo, or use docker compose up mysql)`,
    );
  }
  await mkdir(paths.run, { recursive: true });
  await mkdir(paths.log, { recursive: true });
  // /run is a fresh tmpfs after a reboot and the package's init script, which would create it, never ran.
  await mkdir('/run/mysqld', { recursive: true });
  await writeFile(layout.logFile, '', { flag: 'a' });
  await chownMysql('/run/mysqld', layout.logFile);

  if (!(await exists(path.join(layout.datadir, 'mysql')))) {
    log(`… creating MariaDB system tables in ${layout.datadir}`);
    await mkdir(layout.datadir, { recursive: true });
    await chownMysql(layout.datadir);
    const installDb = await which('mariadb-install-db', 'mysql_install_db');
    if (!installDb) throw new ServiceError('mariadb-install-db not found; reinstall mariadb-server');
    await runOrThrow(installDb, [
      '--user=mysql',
      `--datadir=${layout.datadir}`,
      // root logs in only as the OS root user over the socket, as on a packaged Debian install.
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ]);
  }

  log(`… starting MariaDB on ${target.address} (log: ${layout.logFile})`);
  await startDaemon({
    exec: mariadbd,
    args: [
      '--user=mysql',
      `--port=${target.port}`,
      // Local only: this server exists for development and CI, not for the network.
      `--bind-address=${target.host === '::1' ? '::1' : '127.0.0.1'}`,
      `--datadir=${layout.datadir}`,
      `--socket=${layout.socket}`,
      `--pid-file=${layout.pidFile}`,
      `--log-error=${layout.logFile}`,
      ...extraArgs,
    ],
    pidFile: layout.launcherPidFile,
    background: true,
    outputFile: layout.logFile,
  });
}

/** Why MariaDB will never answer (its process is gone), or undefined while it may still come up. */
export async function mariadbGaveUp(layout: MariadbLayout): Promise<string | undefined> {
  const pid = await readPid(layout.launcherPidFile);
  if (pid === undefined || isAlive(pid)) return undefined;
  return `mariadbd exited during start-up; last lines of ${layout.logFile}:\n${await tail(layout.logFile)}`;
}

export interface RootClient {
  readonly client: string;
  readonly args: string[];
}

/** The mariadb client logged in as root over a unix socket, checked to be the server on `port`. */
export async function rootClient(port: number, preferredSocket: string): Promise<RootClient> {
  const client = await which('mariadb', 'mysql');
  if (!client) throw new ServiceError('the mariadb client is not installed (apt-get install mariadb-client)');
  const sockets = [...new Set([preferredSocket, '/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock'])];
  for (const socket of sockets) {
    if (!(await exists(socket))) continue;
    const args = ['--protocol=socket', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names'];
    const answer = await run(client, [...args, '--execute=SELECT @@port']);
    // A socket may belong to a different server than the one on our port; never grant on the wrong one.
    if (answer.code === 0 && answer.stdout.trim() === String(port)) return { client, args };
  }
  throw new ServiceError(
    `root could not log in over a unix socket to the server on port ${port} (tried ${sockets.join(', ')})`,
  );
}

/**
 * SQL that creates the URL's user with rights to create per-test-run databases. An account that
 * already exists keeps its password: it may belong to something else on this machine.
 */
export function grantSql(target: Pick<MysqlTarget, 'user' | 'password' | 'host'>): string {
  const hosts = ['localhost', '127.0.0.1', ...(target.host === '::1' ? ['::1'] : [])];
  // escape() relies on backslash escapes, which NO_BACKSLASH_ESCAPES would turn into literal text.
  const lines = ["SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '');"];
  for (const host of hosts) {
    const account = `${escape(target.user)}@${escape(host)}`;
    lines.push(
      `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${escape(target.password)};`,
      `GRANT ALL PRIVILEGES ON *.* TO ${account};`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function grantLocalUser(
  target: MysqlTarget,
  layout: MariadbLayout,
  log: (line: string) => void,
): Promise<void> {
  let root: RootClient;
  try {
    root = await rootClient(target.port, layout.socket);
  } catch (err) {
    const shown = grantSql({ ...target, password: '<password>' });
    throw new ServiceError(
      `${(err as Error).message}.\nCreate the user as an administrator instead:\n${shown}`,
      {
        cause: err,
      },
    );
  }
  log(`… creating MySQL user '${target.user}' (localhost, 127.0.0.1) if missing, with ALL on *.*`);
  await runOrThrow(root.client, root.args, { input: grantSql(target) });
}

/** CREATE DATABASE IF NOT EXISTS with the URL's own user; true when it had to be created. */
export async function ensureDatabase(target: MysqlTarget): Promise<boolean> {
  const conn = await createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    connectTimeout: 5_000,
  });
  try {
    return await createDatabaseIfMissing(conn, target.database);
  } catch (err) {
    throw new ServiceError(`could not create database ${target.database}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await conn.end();
  }
}

async function createDatabaseIfMissing(conn: Connection, database: string): Promise<boolean> {
  const [rows] = await conn.query<RowDataPacket[]>(
    'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
    [database],
  );
  if (rows.length > 0) return false;
  // Same character set and collation as the test databases made by test/global-setup.ts.
  await conn.query(
    `CREATE DATABASE IF NOT EXISTS ${escapeId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  return true;
}

/** Runs SQL as root and returns the rows of its last result set, as column name → text. */
export async function rootQuery(root: RootClient, sql: string): Promise<Record<string, string>[]> {
  // --batch without --skip-column-names: a header line, then tab-separated rows (NULL printed as NULL).
  const args = root.args.filter((a) => a !== '--skip-column-names');
  const { stdout } = await runOrThrow(root.client, args, { input: sql });
  const lines = stdout.split('\n').filter((line) => line !== '');
  const header = lines[0]?.split('\t') ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
  });
}
