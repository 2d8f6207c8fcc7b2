import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../core/db.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { LiveClient } from './support/live-client.js';
import { mapConcurrent, tokenFor } from './support/tokens.js';
import { testConfig } from './support/test-config.js';
import { createTestRoom } from './support/waiting-room-harness.js';

interface Health {
  pid: number;
  admission: { leading: number[]; admitted: number };
}

describe('two waiting-room processes', function () {
  this.timeout(90_000);
  const cfg = testConfig();
  let db: Knex;
  let a: AppProcess;
  let b: AppProcess;
  const clients: LiveClient[] = [];
  const env = { ADMISSION_TICK_MS: '200', ROOM_SYNC_MS: '300' };

  const health = async (p: AppProcess) => (await (await fetch(`${p.url}/healthz`)).json()) as Health;
  /** The processes leading the room (each room has its own lease, ADR 024). */
  const leaders = async (ps: AppProcess[], roomId: number) =>
    (await Promise.all(ps.map(health))).filter((h) => h.admission.leading.includes(roomId));
  let firstRoom = 0;

  before(async () => {
    db = createDb(cfg);
    [a, b] = await Promise.all([startAppProcess('waiting-room', env), startAppProcess('waiting-room', env)]);
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.kill(), b?.kill()]);
    await db.destroy();
  });

  it('elects exactly one admission leader for the room, admits nobody twice, and reaches clients on both', async () => {
    // Everyone joins the pre-queue and starts watching before the opening, so every `admitted` is heard.
    const roomId = await createTestRoom(db, { ratePerMin: 3_000, maxActive: 100_000, opensInMs: 6_000 });
    firstRoom = roomId;
    const users = Array.from({ length: 200 }, (_, i) => 97_000 + i);
    // Half join through each process.
    await mapConcurrent(users, 20, async (u, i) => {
      const res = await fetch(`${(i % 2 === 0 ? a : b).url}/rooms/${roomId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, u)}` },
        body: JSON.stringify({ clientRequestId: `proc-${u}-x` }),
      });
      expect(res.status).to.equal(201);
    });
    // 20 watchers on each process.
    const watched = users.slice(0, 40);
    await Promise.all(
      watched.map(async (u, i) => {
        const c = new LiveClient((i % 2 === 0 ? a : b).url, tokenFor(cfg, u));
        clients.push(c);
        await c.connected();
        await c.watch(roomId);
      }),
    );

    let leading: Health[] = [];
    for (let i = 0; i < 50 && leading.length === 0; i++) {
      await sleep(100);
      leading = await leaders([a, b], roomId);
    }
    expect(leading).to.have.length(1);

    // The opening, then 200 people at 50 a second: about ten seconds.
    for (const c of clients) await c.until((x) => x.admitted.length > 0, 20_000, 'admitted');
    await sleep(500);
    expect(await leaders([a, b], roomId)).to.have.length(1);

    for (const c of clients) {
      expect(c.admitted, 'one admission per person').to.have.length(1);
      expect(c.ticks.length, 'ticks reach clients on both processes').to.be.greaterThan(0);
    }
    const numbers = clients.map((c) => c.admitted[0]!.queueNumber);
    expect(new Set(numbers).size).to.equal(numbers.length);
    const redisState = await fetch(`${a.url}/rooms/${roomId}/status`, {
      headers: { authorization: `Bearer ${tokenFor(cfg, users[0]!)}` },
    }).then((r) => r.json() as Promise<{ servingNumber: number }>);
    expect(redisState.servingNumber).to.equal(200);
  });

  it('hands the room to the other process when its leader is killed', async () => {
    const [leaderHealth] = await leaders([a, b], firstRoom);
    expect(leaderHealth).to.not.equal(undefined);
    const leader = leaderHealth!.pid === a.proc.pid ? a : b;
    const survivor = leader === a ? b : a;
    const killedAt = Date.now();
    await leader.kill();
    // The lease lasts 3 s and the survivor tries every 200 ms, so it leads within a few seconds; the test
    // waits up to 30 s, a bound a busy machine keeps.
    let leads = false;
    while (!leads && Date.now() - killedAt < 30_000) {
      leads = (await health(survivor)).admission.leading.includes(firstRoom);
      if (!leads) await sleep(100);
    }
    expect(leads, 'the survivor leads').to.equal(true);

    // And it admits: a new room fills through the survivor alone.
    const roomId = await createTestRoom(db, { ratePerMin: 6_000, maxActive: 1_000 });
    const u = 98_001;
    await fetch(`${survivor.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, u)}` },
      body: JSON.stringify({ clientRequestId: 'after-failover' }),
    });
    const c = new LiveClient(survivor.url, tokenFor(cfg, u));
    clients.push(c);
    await c.connected();
    await c.watch(roomId);
    await c.until((x) => x.admitted.length > 0, 5_000, 'admitted after failover');
  });
});
