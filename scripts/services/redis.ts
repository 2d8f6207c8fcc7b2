import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { aptInstall } from './apt.js';
import { startDaemon } from './daemon.js';
import type { ServicePaths } from './paths.js';
import type { ServerTarget } from './probe.js';
import { ServiceError } from './service-error.js';
import { isAlive, isRoot, readPid, run, runOrThrow, tail, which } from './system.js';

/** Installing and starting a local Redis for Rushline. */

export interface RedisLayout {
  readonly dir: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly authFile: string;
}

/**
 * One data directory per port, so two Redis servers never share an append-only file; a cluster node's
 * (`kind` 'redis-cluster') also keeps its nodes.conf there, apart from any plain Redis once on that port.
 */
export function redisLayout(port: number, paths: ServicePaths, kind = 'redis'): RedisLayout {
  const dir = path.join(paths.data, `${kind}-${port}`);
  return {
    dir,
    pidFile: path.join(dir, 'redis.pid'),
    logFile: path.join(paths.log, `${kind}-${port}.log`),
    authFile: path.join(dir, 'auth.conf'),
  };
}

export async function installRedisIfMissing(log: (line: string) => void): Promise<string> {
  const found = await which('redis-server');
  if (found) return found;
  await aptInstall(['redis-server'], log);
  const installed = await which('redis-server');
  if (!installed) throw new ServiceError('redis-server installed but not found on PATH');
  return installed;
}

/** Redis config syntax: a double-quoted string with backslash escapes. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * The URL's credentials go in a 0600 file, not on the command line where `ps` shows them.
 * A named user gets an ACL entry; a bare password protects the default user.
 */
function authConfig(target: ServerTarget): string {
  if (target.user && target.user !== 'default') {
    return `user ${quote(target.user)} on ${quote(`>${target.password}`)} ~* &* +@all\n`;
  }
  return `requirepass ${quote(target.password)}\n`;
}

export async function startRedis(
  redisServer: string,
  target: ServerTarget,
  layout: RedisLayout,
  paths: ServicePaths,
  log: (line: string) => void,
  /** More redis-server options, e.g. cluster mode's. */
  extraArgs: readonly string[] = [],
): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  await mkdir(paths.log, { recursive: true });
  await writeFile(layout.logFile, '', { flag: 'a' });
  const hasAuth = target.password !== '';
  if (hasAuth) {
    await writeFile(layout.authFile, authConfig(target), { mode: 0o600 });
    await chmod(layout.authFile, 0o600);
  }
  // Root gives the server to the packaged redis user: a database server has no business running as root.
  const runAsRedis = isRoot() && (await run('id', ['-u', 'redis'])).code === 0;
  if (runAsRedis) await runOrThrow('chown', ['-R', 'redis:redis', layout.dir, layout.logFile]);

  // A pid file left by a killed server would make redisGaveUp() report the new one as dead.
  const stalePid = await readPid(layout.pidFile);
  if (stalePid !== undefined && !isAlive(stalePid)) await rm(layout.pidFile, { force: true });

  log(`… starting Redis on ${target.address} (log: ${layout.logFile})`);
  await startDaemon({
    exec: redisServer,
    args: [
      ...(hasAuth ? [layout.authFile] : []),
      '--daemonize',
      'yes',
      '--port',
      String(target.port),
      // "-::1": also IPv6 loopback when the machine has it ("localhost" may resolve to ::1 first).
      '--bind',
      '127.0.0.1',
      '-::1',
      // BullMQ state must survive a restart and must never be evicted to make room.
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      layout.dir,
      '--pidfile',
      layout.pidFile,
      '--logfile',
      layout.logFile,
      ...extraArgs,
    ],
    pidFile: layout.pidFile,
    background: false,
    outputFile: layout.logFile,
    ...(runAsRedis ? { chuid: 'redis:redis' } : {}),
  });
}

/** Why Redis will never answer (its process is gone), or undefined while it may still come up. */
export async function redisGaveUp(layout: RedisLayout): Promise<string | undefined> {
  const pid = await readPid(layout.pidFile);
  if (pid === undefined || isAlive(pid)) return undefined;
  return `redis-server exited during start-up; last lines of ${layout.logFile}:\n${await tail(layout.logFile)}`;
}
