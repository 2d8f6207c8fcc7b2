import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { AppProcess } from '../lib/app-process.js';
import { checkInvariants } from '../verify.js';
import { duplicateRedis } from '../../core/redis.js';
import { createBenchEnv, progress, round } from './bench-env.js';
import { sliceEvenly, startClientFleet } from './client-fleet.js';
import { coresMeter } from './cpu-sample.js';
import { followCount } from './follow-count.js';
import { assertAlive, RunGuard } from './run-guard.js';
import { batchFigures, countBy, latencyStages, requestSpan, workerHealth } from './request-figures.js';
import { checkBooks } from './seats-books.js';
import { buildWorld, PER_USER_LIMIT, ZONES } from './seats-world.js';
import { mergeCounts, p50p99, percentile, sum } from './stats.js';
import { innodbLocks } from './innodb-locks.js';

/**
 * `seats`: a ticket sale through the whole reservation path. One event (seats over four priced zones,
 * a per-user limit, a short hold), its sale room, and N users in client processes of their own. Each
 * user arrives at its moment (paced, as a waiting room would admit them; its admission token is signed
 * directly), asks for best-available seats in a zone or for 2–4 chosen seats (often in the same few
 * popular rows), hears the outcome on its socket (`request:update` via a waiting-room process), may try
 * again or ask for more, and then pays, pays with a declined card, cancels or walks away. The run waits
 * until every hold has ended, then checks the books: seats, reservations, payments and the simulated
 * provider's ledger must agree.
 */
export interface SeatsOptions {
  users: number;
  seats: number;
  clientProcesses: number;
  holdTtlS: number;
  /** Users arriving per second (default 100: a waiting room admitting 6,000 a minute, as in `rush`). */
  arrivalPerS?: number;
  /** Abort after this long (default 600 s). */
  timeLimitS?: number;
  /** Extra environment for the workers (e.g. COMMIT_CONCURRENCY, COMMIT_BATCH_MAX) and the api. */
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
}

const WORKERS = 2;
/** Workers' expiry grace and sweep interval (their defaults), for how long to wait for the last holds. */
const EXPIRY_SLACK_MS = 5_000 + 5_000 + 30_000;

/** What a client process publishes every half second. */
export interface SeatsProgress {
  p: number;
  connected: number;
  setupFailed: number;
  arrived: number;
  submitted: number;
  outcomes: number;
  /** Users finished with everything they meant to do (including those whose submit failed). */
  done: number;
  submitFailed: number;
}

/** What a client process answers to `report`. */
export interface SeatsReport {
  p: number;
  progress: SeatsProgress;
  /** Submit → outcome heard, per request, ms. */
  latencies: number[];
  /** POST /pay round trips, ms. */
  payLatencies: number[];
  /** [requestId, submitted, outcome heard], epoch ms, to split the latency into stages. */
  timeline: [number, number, number][];
  /** [reservationId, sent, answered] of each paid POST /pay (200), epoch ms. */
  payTimeline: [number, number, number][];
  /** [reservationId, the status its owner's answers imply once the run settles]. */
  expectations: [number, string][];
  /** Outcomes whose `request:update` never came (found by polling instead). */
  undelivered: number;
  /** HTTP answers per step, e.g. `pay 200`, `decline 402 PAYMENT_DECLINED`, `cancel-paid 200 refunded`. */
  answers: Record<string, number>;
  failures: Record<string, number>;
  disconnects: number;
  loopDelayP99Ms: number;
}

/**
 * Where a successful payment's time goes, p50/p99: `begin` until its pending payment row was inserted
 * (the api's queue, the reservation's lock), `charge_and_settle` until that row was last updated (the
 * provider, then the transaction selling the seats), `answer` until the client had the 200.
 */
async function payStages(
  db: Knex,
  timeline: [number, number, number][],
): Promise<Record<string, [number, number]>> {
  const parts: Record<'begin' | 'charge_and_settle' | 'answer', number[]> = {
    begin: [],
    charge_and_settle: [],
    answer: [],
  };
  for (let i = 0; i < timeline.length; i += 1_000) {
    const chunk = timeline.slice(i, i + 1_000);
    const rows = await db('payments')
      .whereIn(
        'reservation_id',
        chunk.map(([id]) => id),
      )
      .andWhere('status', 'succeeded')
      .select<{ reservation_id: number; created_at: Date; updated_at: Date }[]>(
        'reservation_id',
        'created_at',
        'updated_at',
      );
    const byId = new Map(rows.map((r) => [r.reservation_id, r]));
    for (const [id, sentAt, answeredAt] of chunk) {
      const r = byId.get(id);
      if (!r) continue;
      parts.begin.push(r.created_at.getTime() - sentAt);
      parts.charge_and_settle.push(r.updated_at.getTime() - r.created_at.getTime());
      parts.answer.push(answeredAt - r.updated_at.getTime());
    }
  }
  return p50p99(parts);
}

export async function runSeats(opts: SeatsOptions): Promise<Record<string, unknown>> {
  const o: Required<SeatsOptions> = {
    ...opts,
    arrivalPerS: opts.arrivalPerS ?? 100,
    timeLimitS: opts.timeLimitS ?? 600,
    workerEnv: opts.workerEnv ?? {},
    apiEnv: opts.apiEnv ?? {},
  };
  const guard = new RunGuard('seats', Date.now() + o.timeLimitS * 1000, o.timeLimitS);
  const onSignal = () => guard.abort('interrupted');
  // `on`, not `once`: tsx relays a Ctrl-C more than once, and exits the process if no listener is left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const env = await createBenchEnv('seats');
  const listener = duplicateRedis(env.redis);
  const clients: AppProcess[] = [];
  try {
    const built = Date.now();
    const world = await buildWorld(env.db, o);
    process.stderr.write(
      `world: ${o.users.toLocaleString('en')} users, ${o.seats.toLocaleString('en')} seats in ` +
        `${ZONES.length} zones, limit ${PER_USER_LIMIT}, hold ${o.holdTtlS} s, built in ` +
        `${round((Date.now() - built) / 1000, 1)} s\n`,
    );

    // The room exists before the workers start: they open one commit queue per room they find.
    const [wr, api, ...workers] = await Promise.all([
      env.start('waiting-room'),
      env.start('api', o.apiEnv),
      ...Array.from({ length: WORKERS }, () => env.start('worker', o.workerEnv)),
    ]);

    const fleet = await startClientFleet<SeatsProgress, SeatsReport>({
      env,
      scenario: 'seats',
      listener,
      plans: sliceEvenly(world.plans, o.clientProcesses),
      envOf: () => ({
        SEATS_WR_URL: wr.url,
        SEATS_API_URL: api.url,
        SEATS_ROOM_ID: String(world.roomId),
        SEATS_EVENT_ID: String(world.eventId),
      }),
    });
    clients.push(...fleet.clients);
    const total = (k: keyof SeatsProgress) => fleet.total(k);
    const alive = () => assertAlive('seats', [...clients, wr, api, ...workers]);
    /** Polls `value` until it reaches `goal`, with a bar; throws if it does not move for stallMs. */
    const follow = async (
      label: string,
      goal: number,
      value: () => number | Promise<number>,
      stallMs: number,
      onTick?: () => void,
    ): Promise<void> => {
      try {
        await followCount({
          label,
          goal,
          value,
          stallMs,
          onStall: (v) => {
            throw new Error(`seats: ${label} stalled at ${v} of ${goal} for ${stallMs / 1000} s`);
          },
          check: () => {
            alive();
            guard.check(label);
          },
          onTick,
        });
      } catch (err) {
        process.stderr.write('\n'); // the bar's line stays as it was; the error goes below it
        throw err;
      }
    };

    // Everyone has a socket open (signed in, in its user room) before the sale starts.
    await follow('users connect sockets', o.users, () => total('connected') + total('setupFailed'), 60_000);
    const startAt = Date.now() + 1_000;
    await fleet.command(`go ${startAt}`);
    await sleep(startAt - Date.now());
    const coresSinceStart = coresMeter([api, ...workers, wr, ...clients], {
      api: 'api',
      workers: 'worker',
      'waiting-room': 'waiting-room',
      clients: 'seats-clients',
    });
    const locksBefore = await innodbLocks(env.db);
    let coresBusy: Record<string, number> | undefined;

    // Users arrive, reserve, hear the outcome, try again or ask for more, then pay, cancel or walk away.
    const stallMs = Math.max(60_000, o.holdTtlS * 1000 + 30_000);
    await follow(
      'submit → outcome → act',
      o.users,
      () => total('done'),
      stallMs,
      () => {
        if (!coresBusy && total('arrived') >= o.users) coresBusy = coresSinceStart();
      },
    );
    const actedAt = Date.now();
    const locksAfter = await innodbLocks(env.db);

    // The rest settles: the last holds expire, paid reservations are confirmed, no payment is left pending.
    const unsettled = async () => {
      const [row] = (await env.db.raw(
        `SELECT (SELECT COUNT(*) FROM reservations WHERE event_id = ? AND status IN ('held', 'paid')) +
                (SELECT COUNT(*) FROM payments p JOIN reservations r ON r.id = p.reservation_id
                 WHERE r.event_id = ? AND p.status = 'pending') AS n`,
        [world.eventId, world.eventId],
      )) as [{ n: number }[]];
      return Number(row[0]?.n ?? 0);
    };
    const [lastHold] = await env
      .db('reservations')
      .where({ event_id: world.eventId, status: 'held' })
      .max<{ at: Date | null }[]>('hold_expires_at as at');
    const settleBy =
      Math.max(Date.now(), lastHold?.at ? new Date(lastHold.at).getTime() : 0) + EXPIRY_SLACK_MS;
    const before = await unsettled();
    const settleBar = progress('holds expire, sales confirm', before);
    let left = before;
    while (left > 0 && Date.now() < settleBy) {
      alive();
      guard.check('waiting for holds to expire');
      await sleep(500);
      left = await unsettled();
      settleBar.tick(before - left);
    }
    settleBar.end();
    const settleS = (Date.now() - actedAt) / 1000;

    const rep = await fleet.collectReports(guard);
    const health = await workerHealth(workers);
    await Promise.allSettled(clients.map((c) => c.stop()));

    const invariants = await checkInvariants(env.db);
    const books = await checkBooks(
      env,
      world.eventId,
      rep.flatMap((r) => r.expectations),
    );
    const outcomes = await countBy(
      env.db,
      env.db('requests').where({ room_id: world.roomId }),
      'outcome_code',
    );
    const { requests: requestCount, firstMs, lastMs } = await requestSpan(env.db, world.roomId, startAt);
    const payments = await countBy(
      env.db,
      env
        .db('payments as p')
        .join('reservations as r', 'r.id', 'p.reservation_id')
        .where('r.event_id', world.eventId),
      'p.status',
    );
    const reservations = await countBy(
      env.db,
      env.db('reservations').where({ event_id: world.eventId }),
      'status',
    );
    const seats = await countBy(env.db, env.db('seats').where({ event_id: world.eventId }), 'status');
    const latencies = rep.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const payLatencies = rep.flatMap((r) => r.payLatencies).sort((a, b) => a - b);
    const merge = (pick: (r: SeatsReport) => Record<string, number>) => mergeCounts(rep, pick);
    const stages = await latencyStages(
      env.db,
      rep.flatMap((r) => r.timeline),
    );
    const payStagesMs = await payStages(
      env.db,
      rep.flatMap((r) => r.payTimeline),
    );
    const [revenue] = await env
      .db('reservations')
      .where({ event_id: world.eventId })
      .whereIn('status', ['paid', 'confirmed'])
      .select<{ cents: number | null }[]>(env.db.raw('SUM(amount_cents) AS cents'));

    return {
      scenario: 'seats',
      topology: {
        processes: { api: 1, 'waiting-room': 1, worker: WORKERS, 'seats-clients': clients.length },
        clients_per_process: { users: sliceEvenly(world.plans, o.clientProcesses).map((s) => s.length) },
      },
      users: o.users,
      seats: o.seats,
      client_processes: clients.length,
      hold_ttl_s: o.holdTtlS,
      arrival_per_s: o.arrivalPerS,
      admission: 'tokens signed directly (room, queue number = arrival order); outcomes over socket.io',
      requests: requestCount,
      drain_s: round((lastMs - startAt) / 1000, 2),
      commits_per_s: round(requestCount / Math.max(0.001, (lastMs - firstMs) / 1000)),
      p50_submit_to_outcome_ms: round(percentile(latencies, 0.5)),
      p99_submit_to_outcome_ms: round(percentile(latencies, 0.99)),
      max_submit_to_outcome_ms: round(latencies.at(-1) ?? NaN),
      p50_pay_ms: round(percentile(payLatencies, 0.5)),
      p99_pay_ms: round(percentile(payLatencies, 0.99)),
      settle_s: round(settleS, 1),
      outcomes: {
        SEATS_HELD: outcomes.SEATS_HELD ?? 0,
        SEATS_TAKEN: outcomes.SEATS_TAKEN ?? 0,
        NOT_ENOUGH_SEATS: outcomes.NOT_ENOUGH_SEATS ?? 0,
        PER_USER_LIMIT: outcomes.PER_USER_LIMIT ?? 0,
        ...outcomes,
      },
      payments: {
        succeeded: payments.succeeded ?? 0,
        declined: payments.failed ?? 0,
        refunded: payments.refunded ?? 0,
        pending: payments.pending ?? 0,
      },
      reservations,
      holds_expired: reservations.expired ?? 0,
      cancelled: reservations.cancelled ?? 0,
      seats_by_status: seats,
      revenue_cents: Number(revenue?.cents ?? 0),
      expired_by_job: sum(health.map((h) => h.reservations?.jobs.expired ?? 0)),
      expired_by_sweep: sum(health.map((h) => h.reservations?.sweep.expired ?? 0)),
      holds_left: reservations.held ?? 0,
      unsettled_left: left,
      ...invariants,
      books,
      undelivered: sum(rep.map((r) => r.undelivered)),
      answers: merge((r) => r.answers),
      failures: merge((r) => r.failures),
      setup_failed: total('setupFailed'),
      submit_failed: total('submitFailed'),
      socket_disconnects: sum(rep.map((r) => r.disconnects)),
      client_loop_delay_p99_ms: Math.max(...rep.map((r) => r.loopDelayP99Ms)),
      stages_ms: stages,
      pay_stages_ms: payStagesMs,
      // Cores busy on average from the start until the last user arrived, per kind of process.
      cores_busy_during_arrivals: coresBusy ?? coresSinceStart(),
      innodb_during_run: {
        deadlocks: locksAfter.deadlocks - locksBefore.deadlocks,
        row_lock_waits: locksAfter.waits - locksBefore.waits,
        row_lock_wait_ms: locksAfter.waitMs - locksBefore.waitMs,
      },
      ...batchFigures(health),
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    listener.disconnect();
    await Promise.allSettled(clients.map((c) => c.kill()));
    await env.teardown();
  }
}
