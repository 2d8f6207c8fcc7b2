import { Queue } from 'bullmq';
import { expect } from 'chai';
import { AFTER_PAYMENT_QUEUE, CommitQueues, HOLD_EXPIRY_QUEUE } from '../core/queues.js';
import {
  createRedis,
  isCluster,
  keySlot,
  masters,
  scanKeys,
  waitForRedis,
  type Redis,
} from '../core/redis.js';
import { redisKeys } from '../core/redis-keys.js';
import * as roomScripts from '../waiting-room/src/queue/room-scripts.js';
import { forgetRooms } from './support/room-cleanup.js';
import { admissionOf, joinRoom } from './support/room-crowd.js';
import { testConfig } from './support/test-config.js';
import { createTestRoom, startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

/**
 * How keys map to Redis Cluster slots (ADR 023): what one script, transaction or BullMQ call touches
 * shares a slot, and rooms spread over the masters. The first part holds on any Redis (it computes
 * slots as the cluster does); the second runs on a cluster (`REDIS_CLUSTER_NODES`, scripts/test-cluster.sh).
 */
const cfg = testConfig();
const keys = redisKeys(cfg.redis.prefix);
const oneSlot = (names: readonly string[]) => new Set(names.map(keySlot)).size;

describe('Redis keys and cluster slots', () => {
  let redis: Redis;

  before(async () => {
    redis = createRedis(cfg, 'blocking');
    await waitForRedis(redis);
  });
  after(() => redis.disconnect());

  it('computes the slots Redis documents (CRC16 of the hash tag, or of the whole key)', () => {
    // From the Redis Cluster specification's examples: "123456789" hashes to 0x31C3 = 12739.
    expect(keySlot('123456789')).to.equal(12_739);
    expect(keySlot('{user1000}.following')).to.equal(keySlot('{user1000}.followers'));
    expect(keySlot('foo{bar}{zap}')).to.equal(keySlot('bar'));
    expect(keySlot('foo{{bar}}zap')).to.equal(keySlot('{bar'));
    // An empty tag does not count: the whole key is hashed.
    expect(keySlot('{}r:1')).to.not.equal(keySlot(''));
  });

  it("puts every key of each room script, and of a room's admission allowance, in the room's slot", () => {
    for (const roomId of [1, 42, 9_001]) {
      for (const script of Object.values(roomScripts)) {
        expect(oneSlot(script.keys.map((part) => keys.room(roomId, part))), script.name).to.equal(1);
      }
      const allowance = ['state', 'revoked', 'allowance:jti-1', 'tokens', 'active', 'used'];
      expect(oneSlot(allowance.map((part) => keys.room(roomId, part)))).to.equal(1);
    }
  });

  it("keeps each BullMQ queue's keys in one slot: a room's commit queue in its room's slot", async () => {
    const commits = new CommitQueues(redis, cfg.redis.prefix);
    const global = [HOLD_EXPIRY_QUEUE, AFTER_PAYMENT_QUEUE].map(
      (name) => new Queue(name, { connection: redis, prefix: keys.queuePrefix(name) }),
    );
    try {
      for (const roomId of [1, 42, 9_001]) {
        const names = Object.values(commits.queue(roomId).keys);
        expect(names.length).to.be.above(10);
        expect(oneSlot([...names, keys.room(roomId, 'state')])).to.equal(1);
      }
      for (const q of global) expect(oneSlot(Object.values(q.keys)), q.name).to.equal(1);
    } finally {
      await Promise.all(global.map((q) => q.close()));
      await commits.close();
    }
  });

  it("keeps the simulated payment provider's charge, reference and ledger in one slot", () => {
    expect(
      oneSlot([`${keys.paymentSim}:charge:a`, `${keys.paymentSim}:ref:b`, `${keys.paymentSim}:ledger`]),
    ).to.equal(1);
  });

  it('spreads rooms over the slots, so over the masters', () => {
    const slots = Array.from({ length: 30 }, (_, i) => keySlot(keys.room(i + 1, 'state')));
    // A 3-master cluster made by `redis-cli --cluster create` splits the slots in thirds.
    const thirds = new Set(slots.map((s) => Math.floor((s * 3) / 16_384)));
    expect(thirds.size).to.equal(3);
  });
});

describe('A crowd through rooms on a Redis Cluster', function () {
  let redis: Redis;
  let wr: RunningWaitingRoom | undefined;
  let queues: CommitQueues;
  const roomIds: number[] = [];

  before(async function () {
    redis = createRedis(cfg, 'blocking');
    await waitForRedis(redis);
    if (!isCluster(redis)) {
      redis.disconnect();
      this.skip(); // only meaningful with REDIS_CLUSTER_NODES (scripts/test-cluster.sh runs it so)
    }
    wr = await startWaitingRoom();
    queues = new CommitQueues(redis, cfg.redis.prefix);
  });

  after(async () => {
    if (!wr) return;
    await forgetRooms(wr.db, queues, roomIds);
    await queues.close();
    await wr.stop();
    redis.disconnect();
  });

  it('agrees with the cluster on every slot', async () => {
    const samples = [
      keys.room(7, 'users'),
      keys.paymentSim,
      `${keys.commitQueuePrefix(3)}:commit-room-3:wait`,
    ];
    for (const key of samples)
      expect(Number(await redis.call('CLUSTER', 'KEYSLOT', key)), key).to.equal(keySlot(key));
  });

  it("joins and admits people in six rooms (every room script, no CROSSSLOT), and the rooms' keys sit on more than one master", async () => {
    const running = wr as RunningWaitingRoom;
    for (let i = 0; i < 6; i++) roomIds.push(await createTestRoom(running.db, { ratePerMin: 6_000 }));
    const people = [1, 2, 3, 4];
    for (const roomId of roomIds) await joinRoom(running.url, cfg, roomId, people);
    for (const roomId of roomIds) {
      for (const userId of people)
        expect(await admissionOf(running.url, cfg, roomId, userId)).to.be.a('string');
    }
    // Each room's commit queue takes a job in the room's slot.
    for (const roomId of roomIds) await queues.enqueue(roomId, `cluster-${roomId}`, [1]);

    const holders = new Set<string>();
    for (const node of masters(redis)) {
      for (const roomId of roomIds) {
        const found: string[] = [];
        for await (const batch of scanKeys(node, `${cfg.redis.prefix}:{r:${roomId}}:*`)) found.push(...batch);
        if (found.length > 0) {
          holders.add(`${node.options.host}:${node.options.port}`);
          // Both the room's own keys and its commit queue's.
          expect(found).to.include(keys.room(roomId, 'users'));
          expect(found.some((k) => k.startsWith(`${keys.commitQueuePrefix(roomId)}:`))).to.equal(true);
        }
      }
    }
    expect(masters(redis)).to.have.length.of.at.least(3);
    expect(holders.size).to.be.above(1);
  });
});
