import type { Server } from 'node:http';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import type { Config } from '../../core/config.js';
import { createRedis } from '../../core/redis.js';
import { buildWorkerApp, type WorkerApp } from '../../worker/src/app.js';
import { apiInProcess, type ApiInProcess } from '../support/api-in-process.js';
import { createEnrollmentFixture, createSection } from '../support/catalog-fixture.js';
import { createSale } from '../support/event-fixture.js';
import { listenOnFreePort } from '../support/listen.js';
import { testLogger } from '../support/silent-logger.js';
import { startWaitingRoom, type RunningWaitingRoom } from '../support/waiting-room-harness.js';
import { createTestUser } from '../support/users.js';
import type { Identities } from './hostile-tokens.js';
import { listRoutes, type RouteEntry } from './route-inventory.js';

/**
 * The three HTTP processes on free ports (admission stepped by nobody, the worker's committers not
 * started, so nothing moves but what a request does), and a small world of real rows for ids to hit.
 */
export interface HostileWorld {
  cfg: Config;
  db: Knex;
  redis: Redis;
  urls: Record<string, string>;
  routes: RouteEntry[];
  ids: Identities;
  waitingRoom: RunningWaitingRoom;
  /** Ids of real rows (users, term, section, event, seats, rooms…), so a path parameter sometimes finds one. */
  realIds: number[];
  stop(): Promise<void>;
}

export async function startHostileWorld(): Promise<HostileWorld> {
  // The account check is off for the rest of the suite (tokens for made-up ids): on here, as in production.
  const edge = { AUTH_ACCOUNT_CHECK: 'true' };
  const api: ApiInProcess = await apiInProcess(edge);
  const apiServer = await listenOnFreePort(api.app);
  const waitingRoom = await startWaitingRoom({ controller: false, env: edge });
  const connection = createRedis(api.cfg, 'blocking');
  const worker: WorkerApp = buildWorkerApp({
    cfg: api.cfg,
    logger: testLogger,
    db: api.db,
    redis: api.redis,
    connection,
  });
  const workerServer = await listenOnFreePort(worker.http);

  const { db } = api;
  const student = await createTestUser(db, 'student');
  const staff = await createTestUser(db, 'staff');
  const reg = await createEnrollmentFixture(db);
  const { sectionId, courseId } = await createSection(db, reg, { capacity: 30 });
  const sale = await createSale(db, { rows: 1, seatsPerRow: 4 });
  const maxUser = Number((await db('users').max('id as m').first())?.m ?? 0);

  const routes = [
    ...listRoutes('api', api.app),
    ...listRoutes('waiting-room', waitingRoom.room.app),
    ...listRoutes('worker', worker.http),
  ];
  const unique = new Map(routes.map((r) => [`${r.service} ${r.method} ${r.path}`, r]));
  const servers: Server[] = [apiServer.server, workerServer.server];
  return {
    cfg: api.cfg,
    db,
    redis: api.redis,
    urls: { api: apiServer.url, 'waiting-room': waitingRoom.url, worker: workerServer.url },
    routes: [...unique.values()],
    ids: {
      studentId: student.id,
      staffId: staff.id,
      missingUserId: maxUser + 1_000_000,
      roomId: reg.roomId,
      otherRoomId: sale.roomId,
    },
    waitingRoom,
    realIds: [
      student.id,
      staff.id,
      reg.termId,
      reg.windowId,
      reg.roomId,
      reg.majorId,
      reg.professorId,
      sectionId,
      courseId,
      sale.eventId,
      sale.roomId,
      ...sale.seats.map((s) => s.id),
    ],
    stop: async () => {
      await Promise.all(
        servers.map((s) => {
          s.closeAllConnections();
          return new Promise<void>((resolve) => s.close(() => resolve()));
        }),
      );
      await worker.close();
      connection.disconnect();
      await waitingRoom.stop();
      await api.close();
    },
  };
}
