import path from 'node:path';
import { startProcess, type AppProcess } from '../lib/app-process.js';
import { createBenchEnv, progress, round } from './bench-env.js';

const TICKS = 5;
const CLIENT_PROCESSES = 2;

interface TickResult {
  cpuMs: number;
  bytes: number;
  rssMb: number;
  deliveredMs: number;
}

/**
 * `push`: N real socket.io clients (in their own processes) watching one room. Per admission tick,
 * the server's CPU time and bytes, and the time until every client has seen the new serving number:
 * Rushline's one broadcast per room against one personal message per waiting person.
 */
export async function runPush(o: { sizes: number[] }): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('push');
  const clients: AppProcess[] = [];
  try {
    const [roomId] = await env.db('waiting_rooms').insert({
      slug: 'bench-push',
      name: 'Bench push',
      kind: 'registration',
      admission_rate_per_min: 600,
      max_active: 1,
      prequeue_opens_at: new Date(Date.now() - 60_000),
      opens_at: new Date(Date.now() - 1_000),
    });
    const server = await startProcess(
      'push-server',
      path.join(import.meta.dirname, 'push-server.ts'),
      env.env,
    );
    const channel = `${env.cfg.redis.prefix}:bench:push`;
    const listener = env.redis.duplicate();
    await listener.subscribe(`${channel}:result`, `${channel}:done`);
    let onResult: ((r: { cpuMs: number; bytes: number; rssMb: number }) => void) | undefined;
    let done: { serving: number; n: number; lastAt: number }[] = [];
    listener.on('message', (ch: string, raw: string) => {
      if (ch.endsWith(':result'))
        onResult?.(JSON.parse(raw) as { cpuMs: number; bytes: number; rssMb: number });
      else done.push(JSON.parse(raw) as { serving: number; n: number; lastAt: number });
    });

    let connected = 0;
    let serving = 0;
    const results: Record<string, unknown> = {};
    for (const n of o.sizes) {
      // Add clients up to n, split over the client processes.
      const toAdd = n - connected;
      const per = Math.ceil(toAdd / CLIENT_PROCESSES);
      const bar = progress(`connecting ${n.toLocaleString('en')} clients`, CLIENT_PROCESSES);
      let started = 0;
      await Promise.all(
        Array.from({ length: CLIENT_PROCESSES }, async (_, p) => {
          const count = Math.min(per, toAdd - p * per);
          if (count <= 0) return;
          clients.push(
            await startProcess(
              'push-clients',
              path.join(import.meta.dirname, 'push-clients.ts'),
              {
                ...env.env,
                PUSH_URL: server.url,
                ROOM_ID: String(roomId),
                USER_FROM: String(1_000_000 + connected + p * per),
                PUSH_COUNT: String(count),
              },
              { startTimeoutMs: 300_000 },
            ),
          );
          bar.tick(++started);
        }),
      );
      bar.end();
      connected = n;
      const users = Array.from({ length: n }, (_, i) => 1_000_000 + i);

      const measure = async (mode: 'room' | 'personal'): Promise<TickResult[]> => {
        const out: TickResult[] = [];
        for (let t = 0; t < TICKS; t++) {
          serving++;
          done = [];
          const result = new Promise<{ cpuMs: number; bytes: number; rssMb: number }>(
            (resolve) => (onResult = resolve),
          );
          const sentAt = Date.now();
          await env.redis.publish(`${channel}:tick`, JSON.stringify({ mode, roomId, serving, users }));
          const r = await result;
          const deadline = Date.now() + 30_000;
          while (
            done.filter((d) => d.serving === serving).reduce((a, d) => a + d.n, 0) < n &&
            Date.now() < deadline
          ) {
            await new Promise((res) => setTimeout(res, 5));
          }
          const mine = done.filter((d) => d.serving === serving);
          const heard = mine.reduce((a, d) => a + d.n, 0);
          out.push({
            ...r,
            deliveredMs: heard < n ? Infinity : Math.max(...mine.map((d) => d.lastAt)) - sentAt,
          });
          await new Promise((res) => setTimeout(res, 200));
        }
        return out;
      };
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const rush = await measure('room');
      const base = await measure('personal');
      results[String(n)] = {
        tick_cpu_ms: round(mean(rush.map((r) => r.cpuMs)), 2),
        baseline_tick_cpu_ms: round(mean(base.map((r) => r.cpuMs)), 2),
        ratio: round(mean(base.map((r) => r.cpuMs)) / Math.max(0.01, mean(rush.map((r) => r.cpuMs))), 1),
        tick_bytes: Math.round(mean(rush.map((r) => r.bytes))),
        baseline_tick_bytes: Math.round(mean(base.map((r) => r.bytes))),
        all_delivered_ms: Math.max(...rush.map((r) => r.deliveredMs)),
        baseline_all_delivered_ms: Math.max(...base.map((r) => r.deliveredMs)),
        rss_mb: round(Math.max(...rush.map((r) => r.rssMb)), 0),
      };
    }
    listener.disconnect();
    await Promise.all(clients.map((c) => c.kill()));
    await server.stop();
    return { scenario: 'push', ticks_per_size: TICKS, sizes: results };
  } finally {
    await Promise.all(clients.map((c) => c.kill()));
    await env.teardown();
  }
}
