import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tickGroupCount } from '../../waiting-room/src/live/tick-groups.js';
import { startProcess, type AppProcess } from '../lib/app-process.js';
import { duplicateRedis } from '../../core/redis.js';
import { createBenchEnv, insertOpenRoom, progress, round } from './bench-env.js';
import { fitPushSizes, localPortCount, maxPushClients } from './push-sizes.js';
import { describeFailure, readOpenFileLimit } from './run-context.js';
import type { TickCommand, TickResult } from './push-server.js';

/** Ticks measured per design and size (rounded up to whole turns of the tick groups). */
const TICKS = 10;
const CLIENT_PROCESSES = 2;
const USERS_FROM = 1_000_000;

interface Measured {
  ticks: TickResult[];
  /** Per serving number: ms from the tick that first carried it until every client had it or more. */
  deliveredMs: number[];
  /** Ticks the clients received in all, and over how long the ticks were sent. */
  received: number;
  spanMs: number;
}

/**
 * `push`: N real socket.io clients (in their own processes) watching one room, ticks sent
 * ADMISSION_TICK_MS apart. Per tick, the server's CPU time, bytes and sockets written, and the time
 * until every client has the new serving number (or a later one). Rushline: the waiting room's own
 * broadcaster, each tick to one tick group of the room in turn (each watcher hears the room every
 * LIVE_UPDATE_MS, ADR 007). Baseline: one personal message per waiting person per tick.
 */
export async function runPush(o: { sizes: number[] | undefined }): Promise<Record<string, unknown>> {
  // Sizes that fit this machine's limits, checked before anything starts (see push-sizes.ts).
  const [limit, ports] = await Promise.all([readOpenFileLimit(), localPortCount()]);
  const fitted = fitPushSizes({
    requested: o.sizes,
    max: maxPushClients(limit, ports),
    bound:
      `\`ulimit -n\` ${limit.soft ?? 'unlimited'} (hard ${limit.hard ?? 'unlimited'})` +
      (ports === null ? '' : ` and ${ports.toLocaleString('en')} local ports`),
  });
  if (!fitted.ok) throw new Error(fitted.error);
  if (fitted.note) process.stderr.write(`push: ${fitted.note}\n`);
  const env = await createBenchEnv('push');
  const clients: AppProcess[] = [];
  /** Per size, the clients each client process holds then. */
  const perProcess: Record<string, number[]> = {};
  try {
    const { tickMs } = env.cfg.admission;
    const groups = tickGroupCount(env.cfg.admission);
    const ticks = Math.ceil(TICKS / groups) * groups;
    const roomId = await insertOpenRoom(env.db, 'bench-push', 600);
    const server = await startProcess(
      'push-server',
      path.join(import.meta.dirname, 'push-server.ts'),
      env.env,
    );
    const channel = `${env.cfg.redis.prefix}:bench:push`;
    const listener = duplicateRedis(env.redis);
    await listener.subscribe(`${channel}:result`, `${channel}:done`, `${channel}:counted`);
    const results = new Map<number, TickResult>();
    /** Per serving number, the times at which each client process had it everywhere. */
    const done = new Map<number, number[]>();
    let counted: number[] = [];
    listener.on('message', (ch: string, raw: string) => {
      if (ch.endsWith(':result')) {
        const r = JSON.parse(raw) as TickResult;
        results.set(r.seq, r);
      } else if (ch.endsWith(':done')) {
        const d = JSON.parse(raw) as { serving: number; lastAt: number };
        done.set(d.serving, [...(done.get(d.serving) ?? []), d.lastAt]);
      } else {
        counted.push((JSON.parse(raw) as { received: number }).received);
      }
    });
    /** Ticks received by every client so far. */
    const receivedSoFar = async (): Promise<number> => {
      counted = [];
      await env.redis.publish(`${channel}:count`, '');
      const deadline = Date.now() + 10_000;
      while (counted.length < clients.length && Date.now() < deadline) await sleep(5);
      return counted.reduce((a, b) => a + b, 0);
    };

    let connected = 0;
    let serving = 0;
    let seq = 0;
    const out: Record<string, unknown> = {};
    for (const n of fitted.sizes) {
      // Which size failed, and why, in one line; the whole error goes to the details file (bench.ts).
      const failed = (err: unknown) =>
        new Error(`push at ${n.toLocaleString('en')} clients: ${describeFailure(err)}`, { cause: err });
      // Add clients up to n, split over the client processes.
      const toAdd = n - connected;
      const per = Math.ceil(toAdd / CLIENT_PROCESSES);
      const bar = progress(`connecting ${n.toLocaleString('en')} clients`, CLIENT_PROCESSES);
      let started = 0;
      const added: number[] = [];
      await Promise.all(
        Array.from({ length: CLIENT_PROCESSES }, async (_, p) => {
          const count = Math.min(per, toAdd - p * per);
          if (count <= 0) return;
          added.push(count);
          clients.push(
            await startProcess(
              'push-clients',
              path.join(import.meta.dirname, 'push-clients.ts'),
              {
                ...env.env,
                PUSH_URL: server.url,
                ROOM_ID: String(roomId),
                USER_FROM: String(USERS_FROM + connected + p * per),
                PUSH_COUNT: String(count),
                PUSH_SERVING: String(serving),
              },
              { startTimeoutMs: 300_000 },
            ),
          );
          bar.tick(++started);
        }),
      ).catch((err: unknown) => {
        bar.end();
        throw failed(err);
      });
      bar.end();
      perProcess[String(n)] = [...(perProcess[String(connected)] ?? []), ...added];
      connected = n;
      const processesNow = clients.length;

      /** `ticks` ticks, tickMs apart, each with the next serving number. */
      const measure = async (mode: TickCommand['mode']): Promise<Measured> => {
        const received0 = await receivedSoFar();
        const first = { seq: seq + 1, serving: serving + 1 };
        const start = Date.now();
        for (let t = 0; t < ticks; t++) {
          await sleep(Math.max(0, start + t * tickMs - Date.now()));
          const cmd: TickCommand = {
            mode,
            roomId,
            seq: ++seq,
            serving: ++serving,
            usersFrom: USERS_FROM,
            waiting: n,
          };
          await env.redis.publish(`${channel}:tick`, JSON.stringify(cmd));
        }
        const spanMs = ticks * tickMs;
        // A serving number reaches its last group up to G − 1 ticks after the one that first carried it,
        // so the last G − 1 serving numbers of a Rushline run are not complete within it: left out.
        const deadline = Date.now() + 30_000;
        const servings = Array.from(
          { length: ticks - (mode === 'room' ? groups - 1 : 0) },
          (_, i) => first.serving + i,
        );
        const complete = (k: number) => (done.get(k)?.length ?? 0) >= processesNow;
        while (Date.now() < deadline && !(results.size >= seq && servings.every(complete))) await sleep(20);
        const tickResults = Array.from({ length: ticks }, (_, i) => results.get(first.seq + i)).filter(
          (r) => r !== undefined,
        );
        if (tickResults.length < ticks) throw new Error('the push server did not report every tick');
        if (tickResults.some((r) => r.tickGroups !== groups)) {
          throw new Error(
            'the push server runs with other ADMISSION_TICK_MS / LIVE_UPDATE_MS than this process',
          );
        }
        const emittedAt = new Map(tickResults.map((r) => [r.serving, r.emittedAt]));
        const deliveredMs = servings.map((k) =>
          complete(k) ? Math.max(...done.get(k)!) - emittedAt.get(k)! : Infinity,
        );
        const received = (await receivedSoFar()) - received0;
        await sleep(500);
        return { ticks: tickResults, deliveredMs, received, spanMs };
      };
      const rush = await measure('room').catch((err: unknown) => Promise.reject(failed(err)));
      const base = await measure('personal').catch((err: unknown) => Promise.reject(failed(err)));

      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const mean = (xs: number[]) => sum(xs) / xs.length;
      const cpu = (m: Measured) => mean(m.ticks.map((r) => r.cpuMs));
      const perWatcherPerS = (m: Measured) => m.received / n / (m.spanMs / 1000);
      /** CPU per message delivered: the ticks' CPU over the sockets they wrote to. */
      const usPerUpdate = (m: Measured) =>
        (1000 * sum(m.ticks.map((r) => r.cpuMs))) / Math.max(1, sum(m.ticks.map((r) => r.recipients)));
      out[String(n)] = {
        tick_cpu_ms: round(cpu(rush), 2),
        baseline_tick_cpu_ms: round(cpu(base), 2),
        ratio: round(cpu(base) / Math.max(0.01, cpu(rush)), 1),
        tick_bytes: Math.round(mean(rush.ticks.map((r) => r.bytes))),
        baseline_tick_bytes: Math.round(mean(base.ticks.map((r) => r.bytes))),
        all_delivered_ms: Math.max(...rush.deliveredMs),
        baseline_all_delivered_ms: Math.max(...base.deliveredMs),
        updates_per_watcher_per_s: round(perWatcherPerS(rush), 2),
        baseline_updates_per_watcher_per_s: round(perWatcherPerS(base), 2),
        cpu_us_per_update: round(usPerUpdate(rush), 1),
        baseline_cpu_us_per_update: round(usPerUpdate(base), 1),
        rss_mb: round(Math.max(...rush.ticks.map((r) => r.rssMb)), 0),
      };
    }
    listener.disconnect();
    await Promise.all(clients.map((c) => c.kill()));
    await server.stop();
    return {
      scenario: 'push',
      tick_ms: tickMs,
      live_update_ms: env.cfg.admission.liveUpdateMs,
      tick_groups: groups,
      ticks_per_size: ticks,
      ...(fitted.note ? { sizes_note: fitted.note } : {}),
      sizes: out,
      topology: {
        processes: { 'push-server (waiting room)': 1, 'push-clients': clients.length },
        clients_per_process: perProcess,
      },
    };
  } finally {
    await Promise.all(clients.map((c) => c.kill()));
    await env.teardown();
  }
}
