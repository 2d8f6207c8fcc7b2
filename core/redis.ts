import { Cluster, Redis as SingleRedis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';

/**
 * Rushline's Redis connection: one Redis, or a Redis Cluster when `REDIS_CLUSTER_NODES` is set (ADR 023).
 * Both share ioredis' command API; code that must see every key (SCAN) goes through `masters()`, and
 * every multi-key command, script, transaction or pipeline keeps to one hash tag (core/redis-keys.ts).
 */
export type Redis = SingleRedis | Cluster;

export type RedisRole =
  /** Request paths: fail fast with a 503 instead of queueing commands while Redis is away. */
  | 'command'
  /** Blocking consumers (BullMQ workers, subscribers): wait for Redis to come back. */
  | 'blocking';

// Reconnect forever with a capped backoff: Redis restarts must not need a Rushline restart.
const backoff = (times: number) => Math.min(times * 200, 2_000);

export function createRedis(cfg: Pick<Config, 'redis'>, role: RedisRole = 'command', name?: string): Redis {
  const maxRetriesPerRequest = role === 'blocking' ? null : 1;
  const nodes = cfg.redis.clusterNodes;
  if (!nodes) {
    const options: RedisOptions = {
      connectionName: name,
      lazyConnect: false,
      retryStrategy: backoff,
      maxRetriesPerRequest,
      enableOfflineQueue: role === 'blocking',
      // Under a rush hundreds of requests reach their next command in the same turn of the event loop (their
      // replies came in one read): one write for them all, not one each (ADR 027). Never on a blocking one.
      enableAutoPipelining: role === 'command',
    };
    return new SingleRedis(cfg.redis.url, options);
  }
  const url = new URL(cfg.redis.url);
  const options: ClusterOptions = {
    // Before the slot map is known a request-path command fails at once, as on one Redis.
    enableOfflineQueue: role === 'blocking',
    enableAutoPipelining: role === 'command',
    enableReadyCheck: true,
    clusterRetryStrategy: backoff,
    // Writes and reads go to masters: a replica's lag would show a person an older place in line.
    scaleReads: 'master',
    // The node connections: ioredis connects them lazily with their own offline queue, which must stay
    // on (turning it off here would fail each node's first command), so only retries are set per role.
    redisOptions: {
      connectionName: name,
      maxRetriesPerRequest,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
    },
  };
  return new Cluster(
    nodes.map((n) => ({ host: n.host, port: n.port })),
    options,
  );
}

/** Another connection like this one (same nodes and options), e.g. for a subscriber. */
export const duplicateRedis = (redis: Redis): Redis =>
  isCluster(redis) ? redis.duplicate() : redis.duplicate();

export const isCluster = (redis: Redis): redis is Cluster => redis instanceof Cluster;

/**
 * The connections that hold keys: the cluster's masters, or the one Redis. SCAN and other keyless
 * reads of the whole keyspace must run on each (on a cluster, `redis.scan` reaches one random node).
 */
export function masters(redis: Redis): SingleRedis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

/** Every key matching `pattern` on every master, a page at a time (SCAN; never KEYS, which blocks Redis). */
export async function* scanKeys(redis: Redis, pattern: string, count = 1000): AsyncGenerator<string[]> {
  for (const node of masters(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * Deletes keys, one UNLINK per hash slot: on a cluster a multi-key command must keep to one slot, and
 * keys found by SCAN belong to any. On one Redis this is a single UNLINK.
 */
export async function unlinkKeys(redis: Redis, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!isCluster(redis)) return redis.unlink(...keys);
  const bySlot = new Map<number, string[]>();
  for (const key of keys) {
    const slot = keySlot(key);
    let group = bySlot.get(slot);
    if (!group) bySlot.set(slot, (group = []));
    group.push(key);
  }
  const counts = await Promise.all([...bySlot.values()].map((group) => redis.unlink(...group)));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Resolves once the client is ready, or rejects after timeoutMs. On a cluster, ready also means each
 * master's connection is up: ioredis opens them on first use, and a request-path client (no offline
 * queue) would refuse a command sent to a master whose connection is still opening.
 */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Redis not ready after ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        redis.off('ready', onReady);
      };
      redis.on('ready', onReady);
    });
  }
  if (!isCluster(redis)) return;
  const nodes = redis.nodes('master');
  await Promise.all(
    nodes.map(async (node) => {
      if (node.status === 'wait') await node.connect().catch(() => undefined);
      if (node.status !== 'ready') await waitForRedis(node, Math.max(1, deadline - Date.now()));
    }),
  );
}

/**
 * The Redis Cluster hash slot of a key (CRC16/XMODEM of its hash tag, or of the whole key, mod 16384):
 * what the cluster itself computes, so tests and tools can tell which keys share a slot.
 */
export function keySlot(key: string): number {
  let hashed = key;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(hashed, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
