import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { Redis } from 'ioredis';
import { sleep } from './system.js';

/**
 * Asks MySQL and Redis whether they answer, without side effects. "Unreachable" (nothing listens,
 * or nothing replies in time) is kept apart from "denied" (a server answered but refused the URL's
 * credentials) because the cures differ: start a server versus create a user.
 */

export type ServiceName = 'MySQL' | 'Redis';
export type ProbeStatus = 'ok' | 'unreachable' | 'denied' | 'unsupported' | 'failed';

export interface ProbeResult {
  readonly service: ServiceName;
  /** host:port, never the URL: URLs carry passwords. */
  readonly address: string;
  readonly status: ProbeStatus;
  readonly version?: string;
  readonly detail?: string;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly address: string;
  /** True for localhost, 127.0.0.1 and ::1: only then may we install, start or grant. */
  readonly local: boolean;
}

export interface MysqlTarget extends ServerTarget {
  readonly database: string;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

function serverTarget(url: URL, defaultPort: number): ServerTarget {
  // WHATWG URLs keep IPv6 hosts in brackets; sockets and MariaDB want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || defaultPort);
  return {
    host,
    port,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    local: LOCAL_HOSTS.has(host),
  };
}

export function parseMysqlUrl(dbUrl: string): MysqlTarget {
  const url = new URL(dbUrl);
  return { ...serverTarget(url, 3306), database: decodeURIComponent(url.pathname.slice(1)) };
}

export function parseRedisUrl(redisUrl: string): ServerTarget {
  return serverTarget(new URL(redisUrl), 6379);
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}

export const isAnswering = (result: ProbeResult): boolean => result.status !== 'unreachable';

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Network-level failures: nothing (or nothing healthy) is listening at the address. */
function unreachableDetail(err: unknown, host: string, timeoutMs: number): string | undefined {
  switch (errorCode(err)) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
      return `no answer within ${timeoutMs / 1000} s`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${host} not found`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'host unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'PROTOCOL_CONNECTION_LOST':
      return 'connection closed before the server answered';
    default:
      return undefined;
  }
}

// Servers word refusals differently; always say "access denied" so people and scripts can rely on it.
const deniedDetail = (message: string) =>
  /^access denied/i.test(message) ? message : `access denied: ${message}`;

const MYSQL_DENIED = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
]);

/** Rushline needs SKIP LOCKED: MariaDB 10.6+ or MySQL 8+. Returns what is wrong, if anything. */
export function mysqlVersionProblem(version: string): string | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return `unrecognised version "${version}"`;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  if (/mariadb/i.test(version)) {
    return major > 10 || (major === 10 && minor >= 6) ? undefined : 'Rushline needs MariaDB 10.6 or later';
  }
  return major >= 8 ? undefined : 'Rushline needs MySQL 8 or later';
}

/** Connects without a database (it may not exist yet) and asks for the server's version. */
export async function probeMysql(dbUrl: string, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const target = parseMysqlUrl(dbUrl);
  const base = { service: 'MySQL', address: target.address } as const;
  let conn: Connection | undefined;
  try {
    conn = await createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      connectTimeout: timeoutMs,
    });
    const [rows] = await conn.query<RowDataPacket[]>({
      sql: 'SELECT VERSION() AS version',
      timeout: timeoutMs,
    });
    const version = String(rows[0]?.version ?? '');
    const problem = mysqlVersionProblem(version);
    return problem
      ? { ...base, status: 'unsupported', version, detail: problem }
      : { ...base, status: 'ok', version };
  } catch (err) {
    const unreachable = unreachableDetail(err, target.host, timeoutMs);
    if (unreachable) return { ...base, status: 'unreachable', detail: unreachable };
    if (MYSQL_DENIED.has(errorCode(err)))
      return { ...base, status: 'denied', detail: deniedDetail(errorMessage(err)) };
    return { ...base, status: 'failed', detail: errorMessage(err) };
  } finally {
    // end() says goodbye politely so the server does not log an aborted connection; destroy if it can't.
    await conn?.end().catch(() => conn?.destroy());
  }
}

/** Redis 7 is what we test against and what Debian bookworm ships. */
export function redisVersionProblem(version: string): string | undefined {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  if (!Number.isFinite(major)) return `unrecognised version "${version}"`;
  return major >= 7 ? undefined : 'Rushline needs Redis 7 or later';
}

/** A client that tries once: a probe must report, not retry until Redis appears. */
function probeClient(redisUrl: string, timeoutMs: number): Redis {
  return new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // A probe has nothing to flush: don't wait the default 2 s for a silent server to close.
    disconnectTimeout: 100,
    // No commandTimeout: withDeadline() bounds the whole probe, including the connection's own
    // handshake commands (HELLO, ready check), which commandTimeout does not cover.
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
}

/**
 * Disconnects unless already closed: ioredis arms a timer on disconnect() that only a later socket
 * 'close' clears, so on an already closed client it would keep the CLI alive for nothing.
 */
function closeClient(redis: Redis): void {
  if (redis.status !== 'end') redis.disconnect();
}

/**
 * Runs `work` against the client, giving up after timeoutMs: covers a server that accepts the
 * connection but never replies. The abandoned work is rejected by the disconnect; that is expected.
 */
async function withDeadline<T>(redis: Redis, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      closeClient(redis);
      reject(Object.assign(new Error(`no reply within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
  });
  const attempt = work();
  attempt.catch(() => undefined);
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export async function probeRedis(
  redisUrl: string,
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const target = parseRedisUrl(redisUrl);
  const base = { service: 'Redis', address: target.address } as const;
  const redis = probeClient(redisUrl, timeoutMs);
  // ioredis reports the socket error as an event and rejects connect() with a generic
  // "Connection is closed"; keep the event's error because it says why.
  let socketError: Error | undefined;
  redis.on('error', (err: Error) => (socketError ??= err));
  try {
    const info = await withDeadline(redis, timeoutMs, async () => {
      await redis.connect();
      await redis.ping();
      return redis.info('server');
    });
    const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? '';
    const problem = redisVersionProblem(version);
    return problem
      ? { ...base, status: 'unsupported', version, detail: problem }
      : { ...base, status: 'ok', version };
  } catch (err) {
    const cause = errorCode(err) === 'ETIMEDOUT' ? err : (socketError ?? err);
    const unreachable = unreachableDetail(cause, target.host, timeoutMs);
    if (unreachable) return { ...base, status: 'unreachable', detail: unreachable };
    if (/^(NOAUTH|WRONGPASS|NOPERM)/.test(errorMessage(cause))) {
      return { ...base, status: 'denied', detail: deniedDetail(errorMessage(cause)) };
    }
    return { ...base, status: 'failed', detail: errorMessage(cause) };
  } finally {
    closeClient(redis);
  }
}

/**
 * Reads maxmemory-policy. BullMQ loses jobs silently under any evicting policy, so a shared Redis
 * must say noeviction. Undefined when the server hides CONFIG (managed Redis often does).
 */
export async function readRedisEvictionPolicy(
  redisUrl: string,
  timeoutMs = DEFAULT_PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  const redis = probeClient(redisUrl, timeoutMs);
  redis.on('error', () => undefined); // the rejected command below reports the failure
  try {
    const reply = await withDeadline(redis, timeoutMs, async () => {
      await redis.connect();
      return redis.config('GET', 'maxmemory-policy');
    });
    return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined;
  } catch {
    return undefined;
  } finally {
    closeClient(redis);
  }
}

/** One readable line: `✔ MySQL 10.11.6-MariaDB at 127.0.0.1:3306` or `✘ Redis at …: connection refused`. */
export function formatProbe(result: ProbeResult): string {
  const name = result.version ? `${result.service} ${result.version}` : result.service;
  return result.status === 'ok'
    ? `✔ ${name} at ${result.address}`
    : `✘ ${name} at ${result.address}: ${result.detail ?? result.status}`;
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Checked between probes so a server that died on start fails now, not after the timeout. */
  readonly gaveUp?: () => Promise<string | undefined>;
}

/** Probes until the server answers (any status but unreachable) or time runs out. */
export async function waitUntilAnswering(
  probe: () => Promise<ProbeResult>,
  { timeoutMs = 60_000, intervalMs = 250, gaveUp }: WaitOptions = {},
): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (isAnswering(result) || Date.now() >= deadline) return result;
    const reason = await gaveUp?.();
    if (reason) return { ...result, detail: reason };
    await sleep(intervalMs);
  }
}
