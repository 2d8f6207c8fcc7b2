/** The `rush` baseline's load: the same carts replayed at fixed offsets against one transaction per request. */
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from './bench-env.js';
import { errorCodeOf, networkCodeOf, postJson } from './bench-http.js';
import type { RunGuard } from './run-guard.js';
import { bump, percentile, sum } from './stats.js';

export interface BaselineResult {
  requests: number;
  offeredPerS: number;
  p50: number;
  p99: number;
  errors: Record<string, number>;
  errorCount: number;
  outcomes: Record<string, number>;
}

/** Sends each cart at its offset (ms from the start), open loop: a slow answer never delays the next send. */
export async function replayBaseline(
  url: string,
  schedule: { at: number; userId: number; sectionIds: number[] }[],
  guard: RunGuard,
  sockets: number,
): Promise<BaselineResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const bar = progress('baseline: same carts, same times', schedule.length);
  let finished = 0;
  const inflight: Promise<void>[] = [];
  const t0 = performance.now() + 50;
  for (const item of schedule) {
    const wait = t0 + item.at - performance.now();
    if (wait > 1) await sleep(wait);
    guard.check('replaying the baseline');
    const sent = performance.now();
    inflight.push(
      postJson(agent, `${url}/enroll`, {}, { userId: item.userId, sectionIds: item.sectionIds }, 30_000)
        .then(
          (res) => {
            if (res.status === 200) {
              latencies.push(performance.now() - sent);
              bump(outcomes, errorCodeOf(res.body) ?? 'UNKNOWN');
            } else bump(errors, `HTTP_${res.status}_${errorCodeOf(res.body) ?? 'ERROR'}`);
          },
          (err: unknown) => bump(errors, networkCodeOf(err)),
        )
        .finally(() => bar.tick(++finished)),
    );
  }
  const span = (performance.now() - t0) / 1000;
  while (finished < schedule.length) {
    guard.check('waiting for the baseline to answer');
    await sleep(100);
  }
  await Promise.all(inflight);
  bar.end();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const errorCount = sum(Object.values(errors));
  return {
    requests: schedule.length,
    offeredPerS: schedule.length / Math.max(0.001, span),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
    errorCount,
    outcomes,
  };
}
