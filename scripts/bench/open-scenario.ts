import { performance } from 'node:perf_hooks';
import { RoomQueue } from '../../waiting-room/src/queue/room-queue.js';
import { toStatusView } from '../../waiting-room/src/queue/status-view.js';
import { createBenchEnv, progress, round } from './bench-env.js';

const READS = 2_000;

/**
 * `open`: a pre-queue of N people (loaded straight into Redis by pipeline, as the HTTP path would take
 * minutes at a million) is opened; how long the opening takes, and how long reading one person's
 * position takes afterwards (the draw is computed on read, so neither should grow with N).
 */
export async function runOpen(o: { sizes: number[] }): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('open');
  try {
    const queue = new RoomQueue(env.redis, env.cfg.redis.prefix);
    const results: Record<string, { open_ms: number; position_read_us: number; redis_mb: number }> = {};
    for (const [i, n] of o.sizes.entries()) {
      const roomId = 1_000 + i;
      await queue.configure(roomId, {
        ratePerMin: 1_000,
        maxActive: 1_000,
        tokenTtlS: 600,
        prequeueOpensAt: new Date(Date.now() - 60_000),
        opensAt: new Date(Date.now() + 3_600_000),
        closesAt: null,
      });
      await queue.status(roomId, 0); // moves the room into its pre-queue phase
      const bar = progress(`loading ${n.toLocaleString('en')} into the pre-queue`, n);
      const users = queue.key(roomId, 'users');
      const tickets = queue.key(roomId, 'tickets');
      for (let from = 0; from < n; from += 10_000) {
        const pipe = env.redis.pipeline();
        const to = Math.min(n, from + 10_000);
        for (let k = from + 1; k <= to; k++) {
          pipe.hset(users, String(k), `p${k}`);
          pipe.hset(tickets, `p${k}`, String(k));
        }
        await pipe.exec();
        bar.tick(to);
      }
      bar.end();
      await env.redis.hset(queue.key(roomId, 'state'), 'pre', n);
      const memory =
        Number(await env.redis.call('MEMORY', 'USAGE', users)) +
        Number(await env.redis.call('MEMORY', 'USAGE', tickets));

      const t0 = performance.now();
      const opened = await queue.operatorPhase(roomId, 'open');
      const openMs = performance.now() - t0;
      if (opened.phase !== 'open') throw new Error(`room ${roomId} did not open`);

      // Reads of random people's positions, one at a time (latency, not throughput).
      const t1 = performance.now();
      for (let r = 0; r < READS; r++) {
        const user = 1 + Math.floor(Math.random() * n);
        const raw = await queue.status(roomId, user);
        if (!raw || toStatusView(roomId, raw).queueNumber === null)
          throw new Error('no position after opening');
      }
      const readUs = ((performance.now() - t1) * 1_000) / READS;
      results[String(n)] = {
        open_ms: round(openMs, 3),
        position_read_us: round(readUs, 1),
        redis_mb: round(memory / 1e6, 1),
      };
      await env.redis.unlink(users, tickets, queue.key(roomId, 'state'));
    }
    const times = Object.values(results).map((r) => r.open_ms);
    return {
      scenario: 'open',
      // Opening and reading are Redis calls from the bench process itself.
      topology: { processes: {} },
      sizes: results,
      open_ms_max_over_min: round(Math.max(...times) / Math.max(0.001, Math.min(...times)), 2),
    };
  } finally {
    await env.teardown();
  }
}
