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

/**
 * This process's figures, `held:stampedAt:holdMs`, stamped with Redis's clock. The hold comes last so a
 * reader of the older `held:stampedAt` form still reads the other two.
 */
const PUBLISH = `${REDIS_NOW_MS}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. now .. ':' .. ARGV[4])
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
const holdGauge = new Gauge({
  name: 'rushline_api_intake_hold_seconds',
  help: 'Mean time this api process held the submissions it answered in the last quarter second',
  registers: [metricsRegistry],
});

/** One window of an api process's intake. */
export interface IntakeFigures {
  /** Submissions held on average over the window. */
  held: number;
  /**
   * How long each submission let go in the window was held, on average, ms (with none let go, the mean
   * age of those held). Null from a process that does not say (one of an older version).
   */
  holdMs: number | null;
}

/**
 * How busy one api process's intake is: the submissions it holds (taken, not yet answered), averaged over
 * time, which is arrivals × time spent in the process (Little's law), and that time itself. The admission
 * pace follows both (ADR 012): when students queue at the api, admitting more only lengthens that queue,
 * even while the commit pipeline behind it keeps up; but many held for a short time each is throughput,
 * not a queue.
 */
export class IntakeLoad {
  /** This process in the shared hash. */
  readonly id = randomUUID();
  private inFlight = 0;
  /** Σ of the times the submissions in flight were taken: their mean age without a list of them. */
  private inFlightTakenSum = 0;
  /** Submissions answered (or abandoned) since windowStartMs, and Σ of how long each was held. */
  private departures = 0;
  private departedHoldSum = 0;
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
    const takenAt = this.markMs;
    this.inFlight += 1;
    this.inFlightTakenSum += takenAt;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.advance();
      this.inFlight -= 1;
      // Back to exactly 0 whenever nothing is held, so rounding never builds up in the sum.
      this.inFlightTakenSum = this.inFlight === 0 ? 0 : this.inFlightTakenSum - takenAt;
      this.departures += 1;
      this.departedHoldSum += this.markMs - takenAt;
    };
  }

  /** The figures since the last call; starts the next window. */
  takeWindow(): IntakeFigures & { holdMs: number } {
    this.advance();
    const span = this.markMs - this.windowStartMs;
    const held = span > 0 ? this.area / span : this.inFlight;
    // The mean hold of the submissions let go in the window, each measured whole. (Little's law, the
    // area per arrival, misreads windows shorter than the room's admission ticks: arrivals come in
    // clumps, and a window between two clumps read 0.7 s with every answer taking 0.25 s at most.) With
    // none let go, the mean age of those still held: a stalled intake reads as slow.
    const holdMs =
      this.departures > 0
        ? this.departedHoldSum / this.departures
        : this.inFlight > 0
          ? this.markMs - this.inFlightTakenSum / this.inFlight
          : 0;
    this.area = 0;
    this.departures = 0;
    this.departedHoldSum = 0;
    this.windowStartMs = this.markMs;
    return { held, holdMs };
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

const tenths = (n: number) => String(Math.round(n * 10) / 10);

/** Publishes this process's figures (and sets its gauges): one field per process in one hash. */
export async function publishIntake(redis: Redis, key: string, load: IntakeLoad): Promise<void> {
  const { held, holdMs } = load.takeWindow();
  if (recording.on) {
    intakeGauge.set(held);
    holdGauge.set(holdMs / 1_000);
  }
  await runScript(redis, PUBLISH, 1, key, load.id, tenths(held), INTAKE_FORGET_MS, tenths(holdMs));
}

/**
 * The busiest api process's intake (the fresh figures holding the most, with its hold), or null when no
 * process published lately. Fields of processes gone for a minute are deleted. `agedMs` ages every figure
 * (tests).
 */
export async function readIntake(redis: Redis, key: string, agedMs = 0): Promise<IntakeFigures | null> {
  const [nowMs, flat] = (await runScript(redis, READ, 1, key)) as [number, string[]];
  let busiest: IntakeFigures | null = null;
  const gone: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const id = flat[i] as string;
    const [held, atMs, holdMs] = (flat[i + 1] as string).split(':').map(Number);
    if (held === undefined || atMs === undefined || !Number.isFinite(held) || !Number.isFinite(atMs))
      continue;
    const age = nowMs + agedMs - atMs;
    if (age > INTAKE_FORGET_MS) gone.push(id);
    else if (age <= INTAKE_FRESH_MS && (busiest === null || held > busiest.held)) {
      busiest = { held, holdMs: holdMs !== undefined && Number.isFinite(holdMs) ? holdMs : null };
    }
  }
  if (gone.length > 0) await redis.hdel(key, ...gone);
  return busiest;
}
