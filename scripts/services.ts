import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../core/config.js';
import { loadEnvFile } from '../core/env-file.js';
import {
  grantLocalUser,
  ensureDatabase,
  installMariadbIfMissing,
  mariadbGaveUp,
  mariadbLayout,
  startMariadb,
} from './services/mariadb.js';
import { servicePaths, type ServicePaths } from './services/paths.js';
import { ServiceError } from './services/service-error.js';
import {
  formatProbe,
  parseMysqlUrl,
  parseRedisUrl,
  probeMysql,
  probeRedis,
  readRedisEvictionPolicy,
  redactUrl,
  waitUntilAnswering,
  type ProbeResult,
} from './services/probe.js';
import { installRedisIfMissing, redisGaveUp, redisLayout, startRedis } from './services/redis.js';
import { ensurePrometheus } from './services/prometheus.js';
import { defaultReplicaUrl, ensureReplica } from './services/mariadb-replica.js';
import { DEFAULT_CLUSTER_NODES, ensureRedisCluster } from './services/redis-cluster.js';

/**
 * Makes sure MySQL/MariaDB and Redis answer at DATABASE_URL and REDIS_URL. Dev machines and CI
 * have no systemd, so a local server that is missing gets installed from Debian packages and
 * started by us (docs/adr/001-services-without-systemd.md). Remote servers are only probed.
 *
 *   tsx scripts/services.ts          ensure: probe, install/start/provision what is local and missing
 *   tsx scripts/services.ts --check  probe only; exit 1 naming every service that is not ready
 *   tsx scripts/services.ts --prometheus[=PORT]  also a local Prometheus (port 9090) scraping the three apps
 *   tsx scripts/services.ts --replica[=PORT]     also a local MariaDB read replica of the primary (ADR 022):
 *                                                DATABASE_READ_URL's port, else 3307
 *   tsx scripts/services.ts --redis-cluster      also a 3-master Redis Cluster on loopback (REDIS_CLUSTER_NODES,
 *                                                else 127.0.0.1:7001-7003; ADR 023)
 */

export { ServiceError } from './services/service-error.js';
export {
  formatProbe,
  probeMysql,
  probeRedis,
  readRedisEvictionPolicy,
  type ProbeResult,
  type ProbeStatus,
} from './services/probe.js';

export type Log = (line: string) => void;

export interface EnsureOptions {
  readonly log?: Log;
  readonly warn?: Log;
  readonly paths?: ServicePaths;
  /** How long a freshly started server may take to answer. */
  readonly waitMs?: number;
}

type Targets = Pick<Config, 'db' | 'redis'>;

/** Probes both services at once; never changes anything. */
export function checkServices(cfg: Targets): Promise<[mysql: ProbeResult, redis: ProbeResult]> {
  return Promise.all([probeMysql(cfg.db.url), probeRedis(cfg.redis.url)]);
}

/** Warns when a Redis we did not start may evict BullMQ's keys; someone else's server is theirs to change. */
export async function warnUnlessNoeviction(redisUrl: string, warn: Log): Promise<void> {
  const policy = await readRedisEvictionPolicy(redisUrl);
  if (policy === 'noeviction') return;
  warn(
    `⚠ Redis at ${parseRedisUrl(redisUrl).address} has maxmemory-policy ${policy ?? 'unknown (CONFIG GET refused)'}; ` +
      'Rushline needs noeviction or queued jobs can vanish under memory pressure. ' +
      'Set it on that server (CONFIG SET maxmemory-policy noeviction, and in its redis.conf).',
  );
}

/** The probe's line, the URL without its password, and what to do about it. */
function notReady(result: ProbeResult, url: string): ServiceError {
  const hint =
    result.status === 'denied'
      ? 'the server refuses these credentials: fix the URL, or create the user on that server'
      : result.status === 'unsupported'
        ? 'upgrade that server, or point the URL at another one'
        : 'see the message above';
  return new ServiceError(`${formatProbe(result)}\n  ${redactUrl(url)}: ${hint}`);
}

function notLocal(result: ProbeResult, url: string): ServiceError {
  return new ServiceError(
    `${formatProbe(result)}\n  ${redactUrl(url)} is not on this machine, so it is not installed or started here: ` +
      'start that server, or point the URL at a local one.',
  );
}

export async function ensureMysql(
  dbUrl: string,
  first: ProbeResult,
  options: Required<EnsureOptions>,
): Promise<ProbeResult> {
  const { log, paths, waitMs } = options;
  const target = parseMysqlUrl(dbUrl);
  const layout = mariadbLayout(target.port, paths);
  let result = first;

  if (result.status === 'unreachable') {
    if (!target.local) throw notLocal(result, dbUrl);
    const mariadbd = await installMariadbIfMissing(log);
    // Debian's postinst may have started the server it just installed; don't start a second one.
    result = await probeMysql(dbUrl);
    if (result.status === 'unreachable') {
      // With a binary log (PRIMARY_BINLOG_ARGS), so a replica can follow it (ADR 022).
      await startMariadb(mariadbd, target, layout, paths, log);
      result = await waitUntilAnswering(() => probeMysql(dbUrl), {
        timeoutMs: waitMs,
        gaveUp: () => mariadbGaveUp(layout),
      });
      if (result.status === 'unreachable') {
        throw new ServiceError(
          `MySQL (${redactUrl(dbUrl)}) was started but does not answer (waited up to ${waitMs / 1000} s): ` +
            `${result.detail ?? ''}\n` +
            `  Look at ${layout.logFile}`,
        );
      }
    }
  }

  if (result.status === 'denied' && target.local) {
    await grantLocalUser(target, layout, log);
    result = await probeMysql(dbUrl);
    if (result.status === 'denied') {
      throw new ServiceError(
        `${formatProbe(result)}\n  The account '${target.user}' already exists with another password; it is left ` +
          'alone because something else may use it. Fix DATABASE_URL, or change the password yourself.',
      );
    }
  }
  if (result.status !== 'ok') {
    throw notReady(result, dbUrl);
  }
  log(formatProbe(result));
  if (await ensureDatabase(target)) log(`✔ created database ${target.database} (utf8mb4)`);
  return result;
}

export async function ensureRedis(
  redisUrl: string,
  first: ProbeResult,
  options: Required<EnsureOptions>,
): Promise<ProbeResult> {
  const { log, warn, paths, waitMs } = options;
  const target = parseRedisUrl(redisUrl);
  let result = first;
  let startedHere = false;

  if (result.status === 'unreachable') {
    if (!target.local) throw notLocal(result, redisUrl);
    const redisServer = await installRedisIfMissing(log);
    result = await probeRedis(redisUrl);
    if (result.status === 'unreachable') {
      const layout = redisLayout(target.port, paths);
      await startRedis(redisServer, target, layout, paths, log);
      startedHere = true;
      result = await waitUntilAnswering(() => probeRedis(redisUrl), {
        timeoutMs: waitMs,
        gaveUp: () => redisGaveUp(layout),
      });
      if (result.status === 'unreachable') {
        throw new ServiceError(
          `Redis (${redactUrl(redisUrl)}) was started but does not answer (waited up to ${waitMs / 1000} s): ` +
            `${result.detail ?? ''}\n` +
            `  Look at ${layout.logFile}`,
        );
      }
    }
  }
  if (result.status !== 'ok') {
    throw notReady(result, redisUrl);
  }
  log(formatProbe(result));
  if (!startedHere) await warnUnlessNoeviction(redisUrl, warn);
  return result;
}

/**
 * Probes both; for each one not ready, installs/starts/provisions it when its host is local.
 * Safe to repeat: when both answer it only probes and makes sure the database exists.
 */
export async function ensureServices(cfg: Targets, options: EnsureOptions = {}): Promise<ProbeResult[]> {
  const full: Required<EnsureOptions> = {
    log: options.log ?? ((line) => console.log(line)),
    warn: options.warn ?? ((line) => console.warn(line)),
    paths: options.paths ?? servicePaths(),
    waitMs: options.waitMs ?? 60_000,
  };
  const [mysql, redis] = await checkServices(cfg);
  // One after the other: two apt-get installs at once would fight over the dpkg lock.
  const mysqlReady = await ensureMysql(cfg.db.url, mysql, full);
  const redisReady = await ensureRedis(cfg.redis.url, redis, full);
  return [mysqlReady, redisReady];
}

/** `--NAME` → fallback, `--NAME=9091` → 9091, absent → undefined; anything else → NaN. */
function portOption(args: readonly string[], name: string, fallback: number): number | undefined {
  const arg = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  if (arg === `--${name}`) return fallback;
  const port = Number(arg.slice(`--${name}=`.length));
  return Number.isInteger(port) && port > 0 && port < 65_536 ? port : Number.NaN;
}

/** The replica's URL: DATABASE_READ_URL, on --replica=PORT's port when one is given. */
function replicaUrl(cfg: Config, port: number): string {
  if (cfg.db.readUrl === undefined) return defaultReplicaUrl(cfg.db.url, port);
  const url = new URL(cfg.db.readUrl);
  url.port = String(port);
  return url.toString();
}

async function main(args: readonly string[]): Promise<number> {
  const unknown = args.filter(
    (a) => a !== '--check' && a !== '--redis-cluster' && !/^--(prometheus|replica)(=.*)?$/.test(a),
  );
  const promPort = portOption(args, 'prometheus', 9090);
  // Read before the config is parsed, for the usage message; the default port is settled below.
  const replicaAsked = portOption(args, 'replica', 0);
  if (unknown.length > 0 || Number.isNaN(promPort) || Number.isNaN(replicaAsked)) {
    const problem =
      unknown.length > 0
        ? `unknown argument ${unknown.join(' ')}`
        : '--prometheus=PORT and --replica=PORT need a TCP port';
    console.error(
      `${problem}\nusage: tsx scripts/services.ts [--check] [--prometheus[=PORT]] [--replica[=PORT]] [--redis-cluster]`,
    );
    return 2;
  }
  let cfg: Config;
  try {
    // Same sources as the apps and scripts/migrate.ts: real variables, then .env.
    loadEnvFile();
    cfg = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 2;
  }

  if (args.includes('--check')) {
    const results = await checkServices(cfg);
    for (const result of results) console.log(formatProbe(result));
    const redis = results.find((r) => r.service === 'Redis');
    if (redis?.status === 'ok') await warnUnlessNoeviction(cfg.redis.url, (line) => console.warn(line));
    const failing = results.filter((r) => r.status !== 'ok').map((r) => r.service);
    if (failing.length === 0) return 0;
    console.error(
      `Not ready: ${failing.join(', ')}. Run \`npx tsx scripts/services.ts\` to install or start local ones.`,
    );
    return 1;
  }

  try {
    await ensureServices(cfg);
    if (replicaAsked !== undefined) {
      const port = replicaAsked || Number(new URL(cfg.db.readUrl ?? 'mysql://x@h:3307/d').port || 3306);
      await ensureReplica({
        primaryUrl: cfg.db.url,
        replicaUrl: replicaUrl(cfg, port),
        replication: cfg.db.replication,
        paths: servicePaths(),
        log: (line) => console.log(line),
        waitMs: 60_000,
      });
    }
    if (args.includes('--redis-cluster')) {
      await ensureRedisCluster({
        nodes: cfg.redis.clusterNodes ?? DEFAULT_CLUSTER_NODES,
        redisUrl: cfg.redis.url,
        paths: servicePaths(),
        log: (line) => console.log(line),
        waitMs: 60_000,
      });
    }
    if (promPort !== undefined) {
      await ensurePrometheus({
        port: promPort,
        targets: {
          api: [`127.0.0.1:${cfg.http.apiPort}`],
          'waiting-room': [`127.0.0.1:${cfg.http.waitingRoomPort}`],
          worker: [`127.0.0.1:${cfg.http.workerPort}`],
        },
        paths: servicePaths(),
        log: (line) => console.log(line),
        waitMs: 60_000,
      });
    }
    console.log('Services ready.');
    return 0;
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err; // a bug: let node print the stack
    console.error(err.message.startsWith('✘') ? err.message : `✘ ${err.message}`);
    return 1;
  }
}

// Run only as a CLI; tests import the functions above.
function invokedDirectly(): boolean {
  try {
    return (
      process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href
    );
  } catch {
    return false; // argv[1] is not a file (node -e, a REPL)
  }
}
if (invokedDirectly()) {
  process.exitCode = await main(process.argv.slice(2));
}
