/** A client process's side of the scenario: its plan from Redis, progress and `report` on demand, a clean stop. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Redis } from '../../core/redis.js';
import { loadConfig, type Config } from '../../core/config.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { clientChannels, clientIndexVar } from './client-channels.js';

export const requireEnv = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

export interface ClientProcess<T> {
  cfg: Config;
  /** This process's index among the scenario's client processes. */
  p: number;
  /** Its slice of the scenario's plan. */
  plan: T[];
  /**
   * Publishes `counters` every half second, answers `report` with `report()`, passes every command to
   * `onCommand`, and on SIGTERM/SIGINT calls `onStop` then closes Redis and exits. Prints the line
   * `startProcess` waits for. Returns a function publishing the progress at once.
   */
  serve<R>(o: {
    counters: object;
    report: () => R;
    onCommand?: (msg: string) => void;
    onStop: () => void;
    listening: string;
  }): Promise<() => void>;
}

/** Connects to Redis and reads this process's plan (index in `<SCENARIO>_CLIENT`). */
export async function openClientProcess<T>(scenario: string): Promise<ClientProcess<T>> {
  const cfg = loadConfig();
  const p = Number(requireEnv(clientIndexVar(scenario)));
  const ch = clientChannels(cfg.redis.prefix, scenario);
  const redis: Redis = createRedis(cfg, 'blocking', `${scenario}-clients-${p}`);
  const sub: Redis = createRedis(cfg, 'blocking', `${scenario}-clients-${p}-sub`);
  await Promise.all([waitForRedis(redis), waitForRedis(sub)]);
  const plan = JSON.parse((await redis.get(ch.plan(p))) ?? '[]') as T[];
  return {
    cfg,
    p,
    plan,
    async serve(o) {
      const publishProgress = () => void redis.publish(ch.progress, JSON.stringify(o.counters));
      const progressTimer = setInterval(publishProgress, 500);
      sub.on('message', (_channel: string, msg: string) => {
        if (msg === 'report') void redis.publish(ch.report, JSON.stringify(o.report()));
        o.onCommand?.(msg);
      });
      await sub.subscribe(ch.command);
      const stop = () => {
        clearInterval(progressTimer);
        o.onStop();
        redis.disconnect();
        sub.disconnect();
        process.exit(0);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      console.log(JSON.stringify({ port: 0, msg: o.listening }));
      return publishProgress;
    },
  };
}

/** Starts measuring the event loop's delay; returns its p99 so far, in ms to 0.1. */
export function loopDelayMeter(): () => number {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return () => Math.round(loopDelay.percentile(99) / 1e5) / 10;
}

/**
 * The longest the event loop was held up in each wall-clock second (epoch s → ms), from a 50 ms timer:
 * a p99 over the whole run hides a stall of a few seconds, such as a rush's opening.
 */
export function loopStallsBySecond(): () => [number, number][] {
  const EVERY_MS = 50;
  const worst = new Map<number, number>();
  let expected = Date.now() + EVERY_MS;
  setInterval(() => {
    const now = Date.now();
    const late = Math.max(0, now - expected);
    const second = Math.floor(now / 1_000);
    worst.set(second, Math.max(late, worst.get(second) ?? 0));
    expected = now + EVERY_MS;
  }, EVERY_MS).unref();
  return () => [...worst.entries()];
}

/** Runs `each` over the items, `width` at a time, in order. */
export async function forEachConcurrently<T>(
  items: T[],
  width: number,
  each: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await each(items[next++]!);
    }),
  );
}
