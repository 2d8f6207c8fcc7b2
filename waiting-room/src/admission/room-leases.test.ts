import { expect } from 'chai';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { testConfig } from '../../../test/support/test-config.js';
import { RoomLeases } from './room-leases.js';

describe('room leases', () => {
  const cfg = testConfig();
  const keys = redisKeys(cfg.redis.prefix);
  const connections: Redis[] = [];
  // Room ids of their own, and a fleet key of their own: other tests' processes never count here.
  const fleetKeys = {
    fleet: `${keys.admissionFleet}:leases-test`,
    lease: (roomId: number) => keys.room(roomId, 'leader'),
  };
  const rooms = [910_001, 910_002, 910_003, 910_004, 910_005, 910_006, 910_007];

  const joinFleet = async () => {
    const redis = createRedis(cfg);
    connections.push(redis);
    await waitForRedis(redis);
    return new RoomLeases(redis, fleetKeys, 5_000);
  };

  after(async () => {
    const [redis] = connections;
    // One key at a time: on a Redis Cluster they sit in different slots.
    if (redis)
      for (const key of [fleetKeys.fleet, ...rooms.map((r) => fleetKeys.lease(r))]) await redis.del(key);
    for (const r of connections) r.disconnect();
  });

  it('takes every room alone, shares them when another process joins, and hands them back when it leaves', async () => {
    const a = await joinFleet();
    expect(await a.balance(rooms), 'alone: all of them').to.deep.equal(rooms);

    // B joins: at its first balance A still holds everything, so B finds nothing free yet…
    const b = await joinFleet();
    expect(await b.balance(rooms)).to.deep.equal([]);
    // …A sees two processes and keeps its share, ceil(7 / 2) = 4; B takes the rest.
    expect(await a.balance(rooms)).to.have.length(4);
    expect(await b.balance(rooms)).to.have.length(3);
    const split = [...a.leading(), ...b.leading()].sort((x, y) => x - y);
    expect(split, 'every room, one leader each').to.deep.equal(rooms);

    // Both balance again: nothing moves.
    const [heldByA, heldByB] = [a.leading(), b.leading()];
    await a.balance(rooms);
    await b.balance(rooms);
    expect([a.leading(), b.leading()]).to.deep.equal([heldByA, heldByB]);

    // A room gone from the list is let go.
    const fewer = rooms.filter((r) => r !== heldByA[0]);
    await a.balance(fewer);
    expect(a.leading()).to.not.include(heldByA[0]);

    // B stops cleanly: A takes all again at once.
    await b.releaseAll();
    expect(await a.balance(rooms)).to.deep.equal(rooms);
    await a.releaseAll();
  });

  it('knows until when each lease surely lasts, so a long pass stops ticking a room whose lease may have ended', async () => {
    const a = await joinFleet();
    const [first] = await a.balance([910_101]);
    expect(first).to.equal(910_101);
    // Held for 5 s from just before it was taken.
    expect(a.stillHeld(910_101, 0)).to.equal(true);
    expect(a.stillHeld(910_101, 4_000)).to.equal(true);
    expect(a.stillHeld(910_101, 5_000), 'less than the margin left').to.equal(false);
    expect(a.stillHeld(910_102, 0), 'never held').to.equal(false);
    await a.releaseAll();
    expect(a.stillHeld(910_101, 0), 'released').to.equal(false);
  });
});
