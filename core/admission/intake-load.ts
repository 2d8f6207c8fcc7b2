import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { Gauge } from 'prom-client';
import { metricsRegistry, recording } from '../metrics/registry.js';
import type { Redis } from '../redis.js';

/** How often each api process publishes its intake load. */
export const INTAKE_PUBLISH_MS = 500;
/** A process's figure older than this says nothing (the process stopped or stalls): it is not read. */
export const INTAKE_FRESH_MS = 3 * INTAKE_PUBLISH_MS;
/** Figures this old are deleted by the readers (a process gone for good). */
const INTAKE_FORGET_MS = 60_000;

const intakeGauge = new Gauge({
  name: 'rushline_api_intake_submissions',
  help: 'Submissions this api process held (taken, not yet answered), averaged over the last half second',
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

/** Counts each POST (a submission) from its arrival at the route to its answer or its abandonment. */
export function trackIntake(load: IntakeLoad): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'POST') {
      const leave = load.enter();
      res.once('finish', leave);
      res.once('close', leave);
    }
    next();
  };
}

/** Publishes this process's average (and sets its gauge): one field per process in one hash. */
export async function publishIntake(
  redis: Redis,
  key: string,
  load: IntakeLoad,
  nowMs = Date.now(),
): Promise<void> {
  const average = load.takeAverage();
  if (recording.on) intakeGauge.set(average);
  await redis
    .multi()
    .hset(key, load.id, `${Math.round(average * 10) / 10}:${nowMs}`)
    .pexpire(key, INTAKE_FORGET_MS)
    .exec();
}

/**
 * The busiest api process's intake (the highest fresh average), or null when no process published
 * lately. Fields of processes gone for a minute are deleted.
 */
export async function readIntake(redis: Redis, key: string, nowMs = Date.now()): Promise<number | null> {
  const fields = await redis.hgetall(key);
  let busiest: number | null = null;
  const gone: string[] = [];
  for (const [id, value] of Object.entries(fields)) {
    const [average, atMs] = value.split(':').map(Number);
    if (average === undefined || atMs === undefined || !Number.isFinite(average) || !Number.isFinite(atMs))
      continue;
    const age = nowMs - atMs;
    if (age > INTAKE_FORGET_MS) gone.push(id);
    else if (age <= INTAKE_FRESH_MS) busiest = Math.max(busiest ?? 0, average);
  }
  if (gone.length > 0) await redis.hdel(key, ...gone);
  return busiest;
}
