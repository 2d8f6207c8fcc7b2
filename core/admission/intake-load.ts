import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { Gauge } from 'prom-client';
import { metricsRegistry, recording } from '../metrics/registry.js';
import type { Redis } from '../redis.js';
import { runScript } from '../redis-script.js';

/** Redis's clock in ms, as `now`: publishers stamp and readers age by it (processes' clocks may differ). */
const REDIS_NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** This process's figure, stamped with Redis's clock. */
const PUBLISH = `${REDIS_NOW_MS}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return now
`;

/** Every process's figure, and Redis's clock to judge their age by. */
const READ = `${REDIS_NOW_MS}
return {now, redis.call('HGETALL', KEYS[1])}
`;

/**
 * How often each api process publishes its intake load: the average it publishes is this old at most, and
 * the pace's slow start doubles against it (a 500 ms average let a rush's first queue grow unseen for
 * longer than the doubling took).
 */
export const INTAKE_PUBLISH_MS = 250;
/**
 * A process's figure older than this says nothing (the process stopped): it is not read. Twenty
 * publications' worth, so an api whose event loop lags by seconds under overload still counts, with its
 * last figure.
 */
export const INTAKE_FRESH_MS = 5_000;
/** Figures this old are deleted by the readers (a process gone for good). */
const INTAKE_FORGET_MS = 60_000;

const intakeGauge = new Gauge({
  name: 'rushline_api_intake_submissions',
  help: 'Submissions this api process held (taken, not yet answered), averaged over the last quarter second',
  registers: [metricsRegistry],
});

/**
 * How busy one api process's intake is: the submissions it holds (taken, not yet answered), averaged over
 * time, which is arrivals × time spent in the process (Little's law). The admission pace follows it
 * (ADR 012): when students queue at the api, admitting more only lengthens that queue, even while the
 * commit pipeline behind it keeps up.
 */
export class IntakeLoad {
  /** This process in the shared hash. */
  readonly id = randomUUID();
  private inFlight = 0;
  /** Σ in flight × ms, since windowStartMs. */
  private area = 0;
  private markMs: number;
  private windowStartMs: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.markMs = this.windowStartMs = now();
  }

  /** A submission taken; the function returned lets it go (once, however often it is called). */
  enter(): () => void {
    this.advance();
    this.inFlight += 1;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.advance();
      this.inFlight -= 1;
    };
  }

  /** The average held since the last call; starts the next window. */
  takeAverage(): number {
    this.advance();
    const span = this.markMs - this.windowStartMs;
    const average = span > 0 ? this.area / span : this.inFlight;
    this.area = 0;
    this.windowStartMs = this.markMs;
    return average;
  }

  private advance(): void {
    const t = this.now();
    this.area += this.inFlight * (t - this.markMs);
    this.markMs = t;
  }
}

/**
 * Counts each submission (a POST to the router's root, once authenticated: nobody else's requests can
 * slow admission) from there to its answer or its abandonment.
 */
export function trackIntake(load: IntakeLoad): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST' && (req.path === '/' || req.path === '')) {
      // 'close' comes once the answer is out and also when the client goes first.
      res.once('close', load.enter());
    }
    next();
  };
}

/** Publishes this process's average (and sets its gauge): one field per process in one hash. */
export async function publishIntake(redis: Redis, key: string, load: IntakeLoad): Promise<void> {
  const average = load.takeAverage();
  if (recording.on) intakeGauge.set(average);
  await runScript(redis, PUBLISH, 1, key, load.id, String(Math.round(average * 10) / 10), INTAKE_FORGET_MS);
}

/**
 * The busiest api process's intake (the highest fresh average), or null when no process published
 * lately. Fields of processes gone for a minute are deleted. `agedMs` ages every figure (tests).
 */
export async function readIntake(redis: Redis, key: string, agedMs = 0): Promise<number | null> {
  const [nowMs, flat] = (await runScript(redis, READ, 1, key)) as [number, string[]];
  let busiest: number | null = null;
  const gone: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const id = flat[i] as string;
    const [average, atMs] = (flat[i + 1] as string).split(':').map(Number);
    if (average === undefined || atMs === undefined || !Number.isFinite(average) || !Number.isFinite(atMs))
      continue;
    const age = nowMs + agedMs - atMs;
    if (age > INTAKE_FORGET_MS) gone.push(id);
    else if (age <= INTAKE_FRESH_MS) busiest = Math.max(busiest ?? 0, average);
  }
  if (gone.length > 0) await redis.hdel(key, ...gone);
  return busiest;
}
