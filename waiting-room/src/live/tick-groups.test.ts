import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from '../../../core/redis.js';
import type { RoomStatusView, RoomTick } from '../../../core/live-events.js';
import { createRedis, duplicateRedis } from '../../../core/redis.js';
import { LiveClient } from '../../../test/support/live-client.js';
import { listenOnFreePort } from '../../../test/support/listen.js';
import { testConfig } from '../../../test/support/test-config.js';
import { tokenFor } from '../../../test/support/tokens.js';
import { LiveBroadcaster } from './live-broadcaster.js';
import type { LiveCadence } from './live-cadence.js';
import { attachLiveServer, type LiveServer } from './socket-server.js';
import { tickGroupChannel, tickGroupCount } from './tick-groups.js';

const ROOM = 4_242;

/** A room state for the `watch` ack; the tests here are about who hears what, not about the state. */
const status = (roomId: number, servingNumber: number): RoomStatusView => ({
  roomId,
  phase: 'open',
  paused: false,
  joined: true,
  queueNumber: 1_000,
  servingNumber,
  position: 1_000 - servingNumber,
  peopleAhead: 999 - servingNumber,
  etaSeconds: 60,
  admitted: false,
  admissionToken: null,
  admittedPerMin: 600,
  waiting: 1_000,
  opensAt: null,
  message: '',
  soldOut: false,
  serverTime: new Date().toISOString(),
});

const tick = (servingNumber: number): RoomTick => ({
  roomId: ROOM,
  phase: 'open',
  paused: false,
  servingNumber,
  admittedPerMin: 600,
  waiting: 1_000 - servingNumber,
  serverTime: new Date().toISOString(),
});

const admittedMsg = (queueNumber: number) => ({
  roomId: ROOM,
  queueNumber,
  admissionToken: 'token',
  expiresAt: new Date().toISOString(),
});

describe('tick groups', () => {
  it('splits watchers into floor(LIVE_UPDATE_MS / ADMISSION_TICK_MS) groups, at least one', () => {
    expect(tickGroupCount({ tickMs: 500, liveUpdateMs: 1_000 })).to.equal(2);
    expect(tickGroupCount({ tickMs: 300, liveUpdateMs: 1_000 })).to.equal(3);
    expect(tickGroupCount({ tickMs: 500, liveUpdateMs: 500 })).to.equal(1);
    expect(tickGroupCount({ tickMs: 1_000, liveUpdateMs: 200 })).to.equal(1);
  });

  describe('over socket.io with the Redis adapter (G = 2)', function () {
    this.timeout(20_000);
    const cfg = testConfig();
    const G = 2;
    interface Process {
      server: Server;
      url: string;
      io: LiveServer;
      live: LiveBroadcaster;
      pub: Redis;
      sub: Redis;
    }
    const processes: Process[] = [];
    const clients: LiveClient[] = [];
    let serving = 0;

    /** One waiting-room process's socket server and broadcaster, on its own Redis connections. */
    const startProcess = async (cadence?: LiveCadence): Promise<Process> => {
      const { server, url } = await listenOnFreePort((_req, res) => res.end());
      const pub = createRedis(cfg, 'blocking');
      const sub = createRedis(cfg, 'blocking');
      const io = attachLiveServer(server, {
        cfg,
        pub,
        sub,
        statusOf: (roomId) => Promise.resolve(status(roomId, serving)),
        tickGroups: G,
      });
      const p = { server, url, io, live: new LiveBroadcaster(io, G, cadence), pub, sub };
      processes.push(p);
      return p;
    };
    const watcher = async (p: Process, userId: number): Promise<LiveClient> => {
      const c = new LiveClient(p.url, tokenFor(cfg, userId));
      clients.push(c);
      await c.connected();
      await c.watch(ROOM);
      return c;
    };
    /** This process's sockets in each tick group of the room. */
    const groupSizes = (p: Process) =>
      Array.from(
        { length: G },
        (_, g) => p.io.of('/').adapter.rooms.get(tickGroupChannel(ROOM, g))?.size ?? 0,
      );
    /** Runs `ticks` admission ticks, each moving the serving number on; resolves when all were heard. */
    const runTicks = async (p: Process, fromSeq: number, ticks: number, watchers: LiveClient[]) => {
      const before = watchers.map((w) => w.ticks.length);
      for (let seq = fromSeq; seq < fromSeq + ticks; seq++) p.live.tick(tick(++serving), seq);
      // Each watcher hears one tick in G.
      await Promise.all(
        watchers.map((w, i) =>
          w.until((x) => x.ticks.length >= before[i]! + ticks / G, 5_000, `ticks of watcher ${i}`),
        ),
      );
      await sleep(100); // and no more than that
    };

    afterEach(async () => {
      for (const c of clients.splice(0)) c.close();
      for (const p of processes.splice(0)) {
        await new Promise<void>((resolve) => void p.io.close(() => resolve()));
        p.pub.disconnect();
        p.sub.disconnect();
      }
    });

    it('puts each watcher in exactly one group and keeps the groups balanced as watchers come and go', async () => {
      const p = await startProcess();
      const watchers: LiveClient[] = [];
      for (let i = 0; i < 7; i++) watchers.push(await watcher(p, 70_000 + i));
      const sizes = groupSizes(p);
      expect(sizes.reduce((a, b) => a + b, 0)).to.equal(7);
      expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);

      // Watching again (as the page does after a reconnect) neither moves a socket nor adds a group.
      for (const w of watchers) await w.watch(ROOM);
      expect(groupSizes(p)).to.deep.equal(sizes);

      // Three sockets of group 0 stop watching; the next watchers fill group 0 up again.
      const inGroup0 = [...(p.io.of('/').adapter.rooms.get(tickGroupChannel(ROOM, 0)) ?? [])];
      for (const id of inGroup0.slice(0, 3)) {
        const leaving = watchers.find((w) => w.socket.id === id)!;
        leaving.socket.emit('unwatch', { roomId: ROOM });
      }
      await sleep(100);
      expect(groupSizes(p).reduce((a, b) => a + b, 0)).to.equal(4);
      for (let i = 0; i < 3; i++) await watcher(p, 70_100 + i);
      const after = groupSizes(p);
      expect(after.reduce((a, b) => a + b, 0)).to.equal(7);
      expect(Math.max(...after) - Math.min(...after)).to.be.at.most(1);
    });

    it('sends each tick to one group in turn: every watcher hears every G-th tick and each new serving number within G ticks', async () => {
      const p = await startProcess();
      const watchers = await Promise.all(Array.from({ length: 9 }, (_, i) => watcher(p, 71_000 + i)));
      const first = serving + 1;
      await runTicks(p, 1, 6, watchers);
      for (const w of watchers) {
        const heard = w.ticks.map((t) => t.servingNumber);
        expect(heard, 'every G-th tick').to.have.length(6 / G);
        // Consecutive serving numbers a watcher hears are exactly G apart: none is missed by more than G − 1 ticks.
        for (let k = 1; k < heard.length; k++) expect(heard[k]! - heard[k - 1]!).to.equal(G);
        expect(heard[0]! - first).to.be.below(G);
      }
      // Between them, the groups heard every tick.
      const all = new Set(watchers.flatMap((w) => w.ticks.map((t) => t.servingNumber)));
      expect(all.size).to.equal(6);
    });

    it('sends one round of turns in every `stretch` while the host is out of CPU: each watcher hears every G × stretch-th tick', async () => {
      const STRETCH = 3;
      const p = await startProcess({ stretch: () => STRETCH });
      const watchers = await Promise.all(Array.from({ length: 6 }, (_, i) => watcher(p, 76_000 + i)));
      const before = watchers.map((w) => w.ticks.length);
      // Ticks 6 … 17: rounds 3 … 8 of the two groups' turns; rounds 3 and 6 go out.
      for (let seq = 6; seq < 18; seq++) p.live.tick(tick(++serving), seq);
      await Promise.all(
        watchers.map((w, i) => w.until((x) => x.ticks.length >= before[i]! + 2, 5_000, `watcher ${i}`)),
      );
      await sleep(100); // and no more than that
      const sent = new Set<number>();
      for (const [i, w] of watchers.entries()) {
        const heard = w.ticks.slice(before[i]).map((t) => t.servingNumber);
        expect(heard).to.have.length(2);
        expect(heard[1]! - heard[0]!, 'G × stretch apart').to.equal(G * STRETCH);
        heard.forEach((n) => sent.add(n));
      }
      // Both groups had their turn in each round sent: 4 of the 12 ticks went out.
      expect(sent.size).to.equal(4);
    });

    it('still sends phase changes, operator messages and personal news to every watcher at once', async () => {
      const p = await startProcess();
      const watchers = await Promise.all(Array.from({ length: 6 }, (_, i) => watcher(p, 72_000 + i)));
      p.live.phase(ROOM, 'open', true);
      p.live.message(ROOM, 'Block C at 10:15');
      p.live.admitted([{ userId: 72_003, msg: admittedMsg(9) }]);
      for (const w of watchers) {
        await w.until((x) => x.phases.length === 1 && x.messages.length === 1, 3_000, 'phase and message');
        expect(w.phases).to.deep.equal(['open:paused']);
        expect(w.messages).to.deep.equal(['Block C at 10:15']);
      }
      await watchers[3]!.until((x) => x.admitted.length === 1, 3_000, 'admitted');
      expect(watchers.filter((w) => w.admitted.length > 0)).to.have.length(1);
    });

    it('reaches watchers on another process through one publish per group tick, the turns the same there', async () => {
      const a = await startProcess();
      const b = await startProcess();
      const watchers = [
        ...(await Promise.all(Array.from({ length: 4 }, (_, i) => watcher(a, 73_000 + i)))),
        ...(await Promise.all(Array.from({ length: 4 }, (_, i) => watcher(b, 73_100 + i)))),
      ];
      // The adapter subscribes asynchronously; give it a moment before publishing.
      await sleep(200);
      await runTicks(a, 10, 4, watchers);
      for (const w of watchers) expect(w.ticks).to.have.length(4 / G);
      expect(groupSizes(b)).to.deep.equal([2, 2]);
    });

    it('lets a batch in with one publish: each person hears `admitted` on whichever process holds their socket, then hears no more ticks but still the room news', async () => {
      const a = await startProcess();
      const b = await startProcess();
      const onA = await Promise.all(Array.from({ length: 3 }, (_, i) => watcher(a, 75_000 + i)));
      const onB = await Promise.all(Array.from({ length: 3 }, (_, i) => watcher(b, 75_100 + i)));
      await sleep(200); // the adapter subscribes asynchronously
      const published: string[] = [];
      const monitor = duplicateRedis(a.pub);
      await monitor.psubscribe(`${cfg.redis.prefix}*`);
      monitor.on('pmessage', (_pattern, channel) => published.push(channel));
      // Let in one person on each process, from process a (the leader).
      a.live.admitted([
        { userId: 75_001, msg: admittedMsg(11) },
        { userId: 75_101, msg: admittedMsg(12) },
      ]);
      await onA[1]!.until((x) => x.admitted.length === 1, 5_000, 'admitted on a');
      await onB[1]!.until((x) => x.admitted.length === 1, 5_000, 'admitted on b');
      expect(onB[1]!.admitted[0]!.queueNumber).to.equal(12);
      expect([...onA, ...onB].filter((w) => w.admitted.length > 0)).to.have.length(2);
      expect(published, 'one publish for the batch').to.have.length(1);
      await monitor.quit();
      // The two let in leave the tick groups (on both processes); the others keep hearing ticks.
      const waiting = [onA[0]!, onA[2]!, onB[0]!, onB[2]!];
      await runTicks(a, 30, 4, waiting);
      expect(onA[1]!.ticks.length + onB[1]!.ticks.length).to.equal(0);
      expect(groupSizes(a).reduce((x, y) => x + y, 0)).to.equal(2);
      expect(groupSizes(b).reduce((x, y) => x + y, 0)).to.equal(2);
      a.live.message(ROOM, 'Closing at noon');
      for (const w of [...onA, ...onB]) await w.until((x) => x.messages.length === 1, 5_000, 'room news');
    });

    it('answers a watcher that comes back with the current state at once, before any tick of its group', async () => {
      const p = await startProcess();
      const others = await Promise.all(Array.from({ length: 3 }, (_, i) => watcher(p, 74_000 + i)));
      const me = await watcher(p, 74_100);
      await runTicks(p, 20, 4, [...others, me]);
      me.close();
      await runTicks(p, 24, 2, others);
      const again = new LiveClient(p.url, tokenFor(cfg, 74_100));
      clients.push(again);
      await again.connected();
      const state = await again.watch(ROOM);
      expect(state.servingNumber).to.equal(serving);
      expect(again.ticks).to.have.length(0);
    });
  });
});
