import path from 'node:path';
import autocannon from 'autocannon';
import { redisKeys } from '../../core/redis-keys.js';
import { startProcess } from '../lib/app-process.js';
import { createBenchEnv, insertOpenRoom, progress, round, signStudentTokens } from './bench-env.js';
import { processTicks, processTicksByMode } from './cpu-sample.js';

export interface JoinOptions {
  connections: number;
  durationS: number;
}

interface Load {
  perS: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

/** One autocannon run in which every request is a different user with their own access token. */
async function drive(
  url: string,
  tokens: string[],
  from: { next: number },
  o: JoinOptions,
  label: string,
): Promise<Load> {
  const bar = progress(label, o.durationS);
  const started = Date.now();
  const timer = setInterval(() => bar.tick((Date.now() - started) / 1000), 250);
  const result = await autocannon({
    url,
    connections: o.connections,
    duration: o.durationS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const token = tokens[from.next++ % tokens.length] as string;
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: '{"clientRequestId":"bench-join-0001"}',
          };
        },
      },
    ],
  });
  clearInterval(timer);
  bar.end();
  return {
    perS: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/**
 * `join`: autocannon on POST /rooms/:id/join with distinct users against one waiting-room process and
 * against two, against one whose joins go through express (what the raw join path saves, ADR 011), and
 * the same load against a bare express endpoint doing the same Redis work.
 */
export async function runJoin(o: JoinOptions): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('join');
  try {
    const roomId = await insertOpenRoom(env.db, 'bench-join');
    // Enough distinct users that no run repeats one (a repeat is a cheaper read, not a join).
    const tokens = signStudentTokens(env.cfg, 1_000_000, 20_000 * o.durationS * 4, 'signing access tokens');
    const used = { next: 0 };

    const baseline = await startProcess(
      'baseline',
      path.join(import.meta.dirname, 'baseline-join-server.ts'),
      env.env,
    );
    const base = await autocannon({
      url: `${baseline.url}/join/u`,
      connections: o.connections,
      duration: o.durationS,
      method: 'POST',
      requests: [{ setupRequest: (req) => ({ ...req, path: `/join/u${used.next++}` }) }],
    });
    await baseline.stop();
    const baselinePerS = base.requests.total / base.duration;

    const one = await env.start('waiting-room', { ADMISSION_TICK_MS: '1000' });
    const modeBefore = processTicksByMode(one.proc.pid);
    const single = await drive(`${one.url}/rooms/${roomId}/join`, tokens, used, o, 'join, 1 process');
    const modeAfter = processTicksByMode(one.proc.pid);
    const singleUserTicks = modeAfter.user - modeBefore.user;
    const singleCpuTicks = singleUserTicks + modeAfter.system - modeBefore.system;
    const two = await env.start('waiting-room', { ADMISSION_TICK_MS: '1000' });
    // Two load generators at once, one per process, half the connections each.
    const half = { ...o, connections: Math.max(1, Math.floor(o.connections / 2)) };
    const [a, b] = await Promise.all([
      drive(`${one.url}/rooms/${roomId}/join`, tokens, used, half, 'join, 2 processes (a)'),
      drive(`${two.url}/rooms/${roomId}/join`, tokens, used, half, 'join, 2 processes (b)'),
    ]);

    // What the raw join path saves (ADR 011): the same join through the express app, one process.
    const viaExpress = await startProcess(
      'join-express',
      path.join(import.meta.dirname, 'join-express-server.ts'),
      { ...env.env, ADMISSION_TICK_MS: '1000' },
    );
    const cpu = processTicks(viaExpress.proc.pid);
    const express = await drive(
      `${viaExpress.url}/rooms/${roomId}/join`,
      tokens,
      used,
      o,
      'join through express, 1 process',
    );
    const expressCpuTicks = processTicks(viaExpress.proc.pid) - cpu;
    await viaExpress.stop();

    // autocannon stops sending at the deadline while the servers finish what is in flight: let them.
    await new Promise((r) => setTimeout(r, 1_000));
    const keys = redisKeys(env.cfg.redis.prefix);
    const ticketHolders = await env.redis.hgetall(keys.room(roomId, 'tickets'));
    const placeOf = await env.redis.hgetall(keys.room(roomId, 'users'));
    const users = Object.keys(placeOf).length;
    // A duplicate is a place whose holder is recorded with another place: a second place for one person.
    const duplicates = Object.entries(ticketHolders).filter(
      ([ticket, user]) => placeOf[user] !== ticket,
    ).length;
    let bytes = 0;
    for (const part of ['users', 'tickets', 'state']) {
      bytes += Number((await env.redis.call('MEMORY', 'USAGE', keys.room(roomId, part))) ?? 0);
    }
    return {
      scenario: 'join',
      topology: {
        processes: { 'waiting-room': '1, then 2', 'baseline-join': 1, 'join-express': 1 },
        clients_per_process: { 'autocannon connections (in the bench process)': [o.connections] },
      },
      connections: o.connections,
      duration_s: o.durationS,
      joins_per_s: round(single.perS),
      joins_per_s_two_processes: round(a.perS + b.perS),
      baseline_per_s: round(baselinePerS),
      ratio: round(single.perS / baselinePerS, 2),
      p50_ms: single.p50,
      p99_ms: single.p99,
      p99_ms_two_processes: Math.max(a.p99, b.p99),
      baseline_p99_ms: base.latency.p99,
      // A jiffy is 10 ms of CPU: ticks × 10 ms per 1,000 joins is ticks × 10,000 / joins.
      cpu_ms_per_1k_joins: round((singleCpuTicks * 10_000) / single.total, 1),
      // Sockets and Redis calls are system calls: a machine where they cost more shows it here first.
      cpu_system_share: singleCpuTicks > 0 ? round(1 - singleUserTicks / singleCpuTicks, 2) : null,
      express_route_joins_per_s: round(express.perS),
      express_route_p99_ms: express.p99,
      express_route_cpu_ms_per_1k_joins: round((expressCpuTicks * 10_000) / express.total, 1),
      non_2xx: single.non2xx + a.non2xx + b.non2xx + express.non2xx,
      errors: single.errors + a.errors + b.errors + express.errors,
      duplicates,
      waiting_users: users,
      redis_bytes_per_waiting_user: users === 0 ? null : round(bytes / users, 1),
    };
  } finally {
    await env.teardown();
  }
}
