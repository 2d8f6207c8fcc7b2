import { Redis } from 'ioredis';
import type { RedisNode } from '../../core/config.js';
import type { ServicePaths } from './paths.js';
import { formatProbe, parseRedisUrl, probeRedis, redactUrl, waitUntilAnswering } from './probe.js';
import { installRedisIfMissing, redisGaveUp, redisLayout, startRedis } from './redis.js';
import { ServiceError } from './service-error.js';
import { run, sleep } from './system.js';

/**
 * A Redis Cluster of masters on this machine (ADR 023): one `redis-server --cluster-enabled yes` per
 * node, each with its own directory (its nodes.conf and append-only file), then `redis-cli --cluster
 * create` once. Idempotent: running nodes are reused, a formed cluster is left as it is.
 */

/** The loopback cluster `--redis-cluster` starts when REDIS_CLUSTER_NODES is unset. */
export const DEFAULT_CLUSTER_NODES: readonly RedisNode[] = [7001, 7002, 7003].map((port) => ({
  host: '127.0.0.1',
  port,
}));

export const clusterNodesValue = (nodes: readonly RedisNode[]) =>
  nodes.map((n) => `${n.host}:${n.port}`).join(',');

export interface ClusterOptions {
  readonly nodes: readonly RedisNode[];
  /** REDIS_URL: only its user, password and scheme are used, for every node. */
  readonly redisUrl: string;
  readonly paths: ServicePaths;
  readonly log: (line: string) => void;
  readonly waitMs: number;
}

const nodeUrl = (redisUrl: string, node: RedisNode) => {
  const url = new URL(redisUrl);
  url.hostname = node.host.includes(':') ? `[${node.host}]` : node.host;
  url.port = String(node.port);
  url.pathname = '';
  return url.toString();
};

interface NodeState {
  readonly enabled: boolean;
  readonly state: string;
  readonly slotsAssigned: number;
  readonly knownNodes: number;
}

async function clusterInfo(url: string): Promise<NodeState> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined); // the command's rejection says why
  try {
    await redis.connect();
    const info = await redis.info('cluster');
    if (!/^cluster_enabled:1/m.test(info))
      return { enabled: false, state: '', slotsAssigned: 0, knownNodes: 0 };
    const text = String(await redis.call('CLUSTER', 'INFO'));
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return {
      enabled: true,
      state: field('cluster_state'),
      slotsAssigned: Number(field('cluster_slots_assigned')),
      knownNodes: Number(field('cluster_known_nodes')),
    };
  } finally {
    redis.disconnect();
  }
}

const formed = (states: readonly NodeState[], n: number) =>
  states.every((s) => s.state === 'ok' && s.slotsAssigned === 16_384 && s.knownNodes === n);

/** Starts what is not running, forms the cluster when its nodes are blank, and waits until it serves. */
export async function ensureRedisCluster(opts: ClusterOptions): Promise<void> {
  const { nodes, redisUrl, paths, log, waitMs } = opts;
  if (nodes.length < 3)
    throw new ServiceError('a Redis Cluster needs at least 3 masters in REDIS_CLUSTER_NODES');
  const urls = nodes.map((n) => nodeUrl(redisUrl, n));
  let redisServer: string | undefined;
  for (const [i, node] of nodes.entries()) {
    const url = urls[i] as string;
    let result = await probeRedis(url);
    if (result.status === 'unreachable') {
      const target = parseRedisUrl(url);
      if (!target.local)
        throw new ServiceError(`${formatProbe(result)}\n  ${redactUrl(url)} is not on this machine`);
      redisServer ??= await installRedisIfMissing(log);
      const layout = redisLayout(node.port, paths, 'redis-cluster');
      await startRedis(redisServer, target, layout, paths, log, [
        '--cluster-enabled',
        'yes',
        // Relative to --dir: each node's own directory.
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        '5000',
      ]);
      result = await waitUntilAnswering(() => probeRedis(url), {
        timeoutMs: waitMs,
        gaveUp: () => redisGaveUp(layout),
      });
    }
    if (result.status !== 'ok') throw new ServiceError(`${formatProbe(result)}\n  ${redactUrl(url)}`);
  }

  let states = await Promise.all(urls.map(clusterInfo));
  const plain = nodes.filter((_, i) => !states[i]?.enabled);
  if (plain.length > 0) {
    throw new ServiceError(
      `${clusterNodesValue(plain)}: a Redis without cluster mode answers there; stop it or choose other ports`,
    );
  }
  if (states.every((s) => s.slotsAssigned === 0 && s.knownNodes === 1)) {
    log(`… forming a Redis Cluster of ${nodes.length} masters (${clusterNodesValue(nodes)})`);
    await createCluster(nodes, redisUrl);
  }
  // A cluster restarted from its nodes.conf, or just created, takes a moment to agree that it is ok.
  const deadline = Date.now() + waitMs;
  while (!formed(states, nodes.length)) {
    if (Date.now() >= deadline) {
      const detail = states
        .map(
          (s, i) =>
            `${clusterNodesValue([nodes[i] as RedisNode])} ${s.state} slots=${s.slotsAssigned} nodes=${s.knownNodes}`,
        )
        .join('; ');
      throw new ServiceError(
        `the Redis Cluster did not become ok (${detail}). If its nodes belong to another cluster, stop them ` +
          `and delete their directories under ${paths.data}/redis-cluster-<port>.`,
      );
    }
    await sleep(250);
    states = await Promise.all(urls.map(clusterInfo));
  }
  log(`✔ Redis Cluster ${clusterNodesValue(nodes)} ok (${nodes.length} masters)`);
}

async function createCluster(nodes: readonly RedisNode[], redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const result = await run(
    'redis-cli',
    [
      ...(user && user !== 'default' ? ['--user', user] : []),
      ...(url.protocol === 'rediss:' ? ['--tls'] : []),
      '--cluster',
      'create',
      ...nodes.map((n) => `${n.host}:${n.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    // The password through the environment, never on a command line where `ps` shows it.
    { env: { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) } },
  );
  if (result.code !== 0) {
    throw new ServiceError(`redis-cli --cluster create failed:\n${result.stdout}\n${result.stderr}`);
  }
}
