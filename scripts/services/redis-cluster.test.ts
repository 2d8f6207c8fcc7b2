import { expect } from 'chai';
import { Cluster } from 'ioredis';
import { testConfig } from '../../test/support/test-config.js';
import { servicePaths } from './paths.js';
import { DEFAULT_CLUSTER_NODES, ensureRedisCluster } from './redis-cluster.js';
import { ServiceError } from './service-error.js';

describe('services: the loopback Redis Cluster (--redis-cluster)', function () {
  // Installing redis-server and forming the cluster the first time takes a while on a fresh machine.
  this.timeout(180_000);
  const cfg = testConfig();
  const nodes = cfg.redis.clusterNodes ?? DEFAULT_CLUSTER_NODES;

  it('starts or reuses three masters that serve every slot, and a second run changes nothing', async () => {
    const opts = { nodes, redisUrl: cfg.redis.url, paths: servicePaths(), waitMs: 60_000 };
    await ensureRedisCluster({ ...opts, log: () => undefined });
    const again: string[] = [];
    await ensureRedisCluster({ ...opts, log: (line) => again.push(line) });
    expect(again).to.have.length(1);
    expect(again[0]).to.match(/^✔ Redis Cluster .* ok \(3 masters\)$/);

    const cluster = new Cluster(nodes.map((n) => ({ host: n.host, port: n.port })));
    try {
      const slots = await cluster.cluster('SLOTS');
      const served = slots.reduce((sum, [from, to]) => sum + (to - from + 1), 0);
      expect(served).to.equal(16_384);
      expect(new Set(slots.map((s) => JSON.stringify(s[2]))).size).to.equal(3);
    } finally {
      cluster.disconnect();
    }
  });

  it('refuses nodes where a Redis without cluster mode answers, naming them', async () => {
    const single = new URL(cfg.redis.url);
    const plain = [0, 1, 2].map(() => ({ host: single.hostname, port: Number(single.port || 6379) }));
    const err = await ensureRedisCluster({
      nodes: plain,
      redisUrl: cfg.redis.url,
      paths: servicePaths(),
      log: () => undefined,
      waitMs: 5_000,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ServiceError);
    expect((err as Error).message)
      .to.contain('without cluster mode')
      .and.contain(String(plain[0]?.port));
  });
});
