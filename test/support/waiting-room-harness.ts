import type { AddressInfo } from 'node:net';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import { createDb } from '../../core/db.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { createWaitingRoom, type WaitingRoom } from '../../waiting-room/src/app.js';
import type { HostCpuTimes } from '../../waiting-room/src/live/cpu-counters.js';
import { testLogger } from './silent-logger.js';
import { testConfig } from './test-config.js';

export interface RunningWaitingRoom {
  url: string;
  room: WaitingRoom;
  db: Knex;
  redis: Redis;
  stop(): Promise<void>;
}

/** Counters of a host whose cores are all idle: each sample a second more of idle time. */
export function idleHost(): () => HostCpuTimes[] {
  let t = 0;
  return () => {
    t += 1_000;
    return [{ idle: t, total: t }];
  };
}

/** Counters of a host whose cores are all busy. */
export function busyHost(): () => HostCpuTimes[] {
  let t = 0;
  return () => {
    t += 1_000;
    return [{ idle: 0, total: t }];
  };
}

/**
 * A real waiting-room process's worth of wiring (HTTP, socket.io, admission controller) on a free port,
 * with its own connections. `controller: false` leaves admission to the test, which steps it by hand.
 */
export async function startWaitingRoom(
  /** `readDb`: the caller's replica pool for the public room list (ADR 022); the caller closes it. */
  opts: {
    env?: Record<string, string>;
    controller?: boolean;
    readDb?: Knex;
    /**
     * The CPU counters as the live cadence and the pace see them (default: a host with every core idle,
     * so a shared test machine's load decides neither).
     */
    hostCpu?: () => readonly HostCpuTimes[];
  } = {},
): Promise<RunningWaitingRoom> {
  const cfg = testConfig(opts.env ?? {});
  const db = createDb(cfg);
  const redis = createRedis(cfg);
  const pub = createRedis(cfg, 'blocking');
  const sub = createRedis(cfg, 'blocking');
  await waitForRedis(redis);
  const room = createWaitingRoom({
    cfg,
    logger: testLogger,
    db,
    readDb: opts.readDb,
    redis,
    pub,
    sub,
    hostCpu: opts.hostCpu ?? idleHost(),
  });
  await new Promise<void>((resolve) => room.server.listen(0, '127.0.0.1', resolve));
  if (opts.controller !== false) room.controller.start();
  const { port } = room.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    room,
    db,
    redis,
    stop: async () => {
      await room.close();
      await db.destroy();
      redis.disconnect();
      pub.disconnect();
      sub.disconnect();
    },
  };
}

export interface TestRoomOptions {
  ratePerMin?: number;
  maxActive?: number;
  tokenTtlS?: number;
  /** Milliseconds from now; negative = in the past. */
  prequeueInMs?: number;
  opensInMs?: number;
  closesInMs?: number | null;
}

let roomCounter = 0;

/** Inserts a registration-kind waiting room (no event needed) and returns its id. */
export async function createTestRoom(db: Knex, o: TestRoomOptions = {}): Promise<number> {
  const now = Date.now();
  roomCounter++;
  const [id] = await db('waiting_rooms').insert({
    slug: `test-room-${process.pid}-${now.toString(36)}-${roomCounter}`,
    name: `Test room ${roomCounter}`,
    kind: 'registration',
    admission_rate_per_min: o.ratePerMin ?? 600,
    max_active: o.maxActive ?? 1_000,
    token_ttl_s: o.tokenTtlS ?? 600,
    prequeue_opens_at: new Date(now + (o.prequeueInMs ?? -60_000)),
    opens_at: new Date(now + (o.opensInMs ?? -1_000)),
    closes_at: o.closesInMs === null || o.closesInMs === undefined ? null : new Date(now + o.closesInMs),
  });
  if (id === undefined) throw new Error('insert returned no id');
  return id;
}
