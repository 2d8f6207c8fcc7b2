/** The scenario's side of its client processes: plans handed over Redis, their start, progress and reports. */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from '../../core/redis.js';
import { startProcess, type AppProcess } from '../lib/app-process.js';
import type { BenchEnv } from './bench-env.js';
import { clientChannels, clientIndexVar } from './client-channels.js';
import type { RunGuard } from './run-guard.js';
import { sum } from './stats.js';

export interface ClientFleet<P, R> {
  clients: AppProcess[];
  /** A counter summed over the latest progress of every client process. */
  total(k: keyof P): number;
  /** Publishes a command to every client process. */
  command(msg: string): Promise<unknown>;
  /** Asks every client process for its report and waits (30 s at most) until all have answered. */
  collectReports(guard: RunGuard): Promise<R[]>;
}

/** Contiguous slices of `items`, one per process (fewer when there are fewer items than processes). */
export function sliceEvenly<T>(items: T[], processes: number): T[][] {
  const per = Math.ceil(items.length / processes);
  return Array.from({ length: processes }, (_, p) => items.slice(p * per, (p + 1) * per)).filter(
    (s) => s.length > 0,
  );
}

/**
 * Hands each client process its plan through Redis, listens (on `listener`, which the caller
 * disconnects) for progress and reports, and starts `<scenario>-clients.ts` once per plan.
 */
export async function startClientFleet<P extends { p: number }, R extends { p: number }>(o: {
  env: BenchEnv;
  scenario: string;
  listener: Redis;
  plans: unknown[];
  envOf: (p: number) => Record<string, string>;
}): Promise<ClientFleet<P, R>> {
  const { env, scenario, listener } = o;
  const ch = clientChannels(env.cfg.redis.prefix, scenario);
  for (const [p, plan] of o.plans.entries()) await env.redis.set(ch.plan(p), JSON.stringify(plan));
  const latest = new Map<number, P>();
  const reports = new Map<number, R>();
  listener.on('message', (channel: string, raw: string) => {
    if (channel === ch.progress) {
      const pr = JSON.parse(raw) as P;
      latest.set(pr.p, pr);
    } else if (channel === ch.report) {
      const r = JSON.parse(raw) as R;
      reports.set(r.p, r);
    }
  });
  await listener.subscribe(ch.progress, ch.report);
  const clients = await Promise.all(
    o.plans.map((_, p) =>
      startProcess(
        `${scenario}-clients-${p}`,
        path.join(import.meta.dirname, `${scenario}-clients.ts`),
        { ...env.env, LOG_LEVEL: 'warn', [clientIndexVar(scenario)]: String(p), ...o.envOf(p) },
        { startTimeoutMs: 60_000 },
      ),
    ),
  );
  const command = (msg: string) => env.redis.publish(ch.command, msg);
  return {
    clients,
    total: (k) => sum([...latest.values()].map((pr) => pr[k] as number)),
    command,
    async collectReports(guard) {
      await command('report');
      for (const until = Date.now() + 30_000; reports.size < clients.length; await sleep(100)) {
        if (Date.now() > until)
          throw new Error(`${scenario}: only ${reports.size} of ${clients.length} client reports arrived`);
        guard.check('collecting client reports');
      }
      return [...reports.values()];
    },
  };
}
