import { Agent } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signAccessToken } from '../../core/auth/access-token.js';
import type { IntakeFigures } from '../../core/admission/intake-load.js';
import { startProcess, type AppProcess } from '../lib/app-process.js';
import { checkInvariants, type Invariants } from '../verify.js';
import { duplicateRedis } from '../../core/redis.js';
import { redisKeys } from '../../core/redis-keys.js';
import { createBenchEnv, round } from './bench-env.js';
import { openingTimeline, type SubmitSeen } from './opening-timeline.js';
import { networkCodeOf, postJson } from './bench-http.js';
import { sliceEvenly, startClientFleet } from './client-fleet.js';
import { readDrawOrder } from './draw-order.js';
import { cpuBetween, cpuSample, cpuSeries, serverPids } from './cpu-sample.js';
import { followCount } from './follow-count.js';
import { batchFigures, countBy, latencyStages, requestSpan, workerHealth } from './request-figures.js';
import { assertAlive, RunGuard } from './run-guard.js';
import { readOpenFileLimit } from './run-context.js';
import { replayBaseline } from './rush-baseline.js';
import { buildWarmUp, warmUpBaseline, warmUpRushline } from './rush-warm-up.js';
import { buildWorld, CAPACITY, HOT, SECTIONS, type Student } from './rush-world.js';
import { mergeCounts, percentile } from './stats.js';
import {
  histogramQuantiles,
  metricsPages,
  serverLatency,
  loopFigures,
  type HistogramQuantiles,
} from './server-latency.js';
import { ADMISSION_STAGES } from '../../core/metrics/admission-metrics.js';
import { SUBMIT_STAGES } from '../../core/metrics/submit-metrics.js';

/**
 * `rush`: course registration through the whole path. N students (in client processes of their own)
 * connect a socket, join the registration room's pre-queue and watch; once everyone is in, the room
 * opens (the draw decides the order), and each student, on its `admitted` event, submits one cart of
 * five sections to the api and waits for the `request:update` carrying the outcome. Then the same
 * carts go to a naive one-transaction-per-request endpoint on a copy of the catalog, offered as the
 * students would without a waiting room: all of them at the opening, spread over `arrivalS` seconds
 * (`baselineOffer: 'opening'`), or at the moments Rushline's students submitted (`'admitted'`). The
 * baseline gets every student's cart, those Rushline told "all sections are full" included: without a
 * waiting room nobody is told before they submit.
 */
export interface RushOptions {
  students: number;
  clientProcesses: number;
  /**
   * The room's admission rate, people per minute: with `adaptive` the ceiling its pace follows the commit
   * pipeline under (ADR 012), so set it high to let the pipeline decide; with `fixed` the rate itself.
   */
  ratePerMin: number;
  admissionMode: 'adaptive' | 'fixed';
  /**
   * The room's maximum of people admitted and not yet done (their request decided or their token
   * expired); by default everyone, so only the rate paces them.
   */
  maxActive: number | undefined;
  /**
   * When the baseline's carts are offered: `opening`, every student at the opening (no waiting room:
   * the rush as the naive design meets it), spread evenly over `arrivalS`; `admitted`, at the moments
   * Rushline's students submitted (paced by its admission).
   */
  baselineOffer: 'opening' | 'admitted';
  arrivalS: number;
  /** A fixed request rate for the baseline instead (req/s). */
  baselineRate: number | undefined;
  /** Waiting-room processes; by default 1, or as few as the open-file limit allows. */
  waitingRooms: number | undefined;
  /** Api processes; client process p submits to api p mod this (as a proxy spreads connections). */
  apiProcesses: number;
  /**
   * Each client process's pool of HTTP connections to the api (submits and status reads). A small pool
   * queues submits in the load generator (that wait counts in submit → 202, not in the api's own time,
   * `api_submit_server_ms`); one per student opens them all at the opening, a connection burst the
   * accept queue drops (ADR 025).
   */
  httpSockets: number;
  /**
   * Warm-up carts before the opening (their own room, sections and students) and as many to the baseline
   * before its run: the processes measured are warm, as deployed ones are when a rush starts.
   */
  warmUp: number;
  workerEnv: Record<string, string>;
  timeLimitS: number;
}

const WORKERS = 2;
/** After a warm-up, before the measured run: its last pushes and GC out of the way. */
const WARM_UP_SETTLE_MS = 1_000;
/** No progress at all for this long: stop waiting and report what is there (unresolved, undelivered…). */
const STALL_MS = 60_000;

/** What a client process publishes every half second. */
export interface ClientProgress {
  p: number;
  connected: number;
  joined: number;
  watching: number;
  setupFailed: number;
  admitted: number;
  admittedViaStatus: number;
  submitted: number;
  accepted: number;
  submitFailed: number;
  outcomes: number;
  /** Students still waiting when the room said every section is full (ADR 013): their answer. */
  toldSoldOut: number;
  disconnects: number;
}

/** What a client process answers to `report`. */
export interface ClientReport {
  p: number;
  progress: ClientProgress;
  /** Submit → terminal `request:update`, per student that heard one, ms. */
  latencies: number[];
  /** [userId, epoch ms] of each first submit: the baseline replays these. */
  submits: [number, number][];
  /** [requestId, submit, outcome heard] in epoch ms, to split the latency into stages. */
  timeline: [number, number, number][];
  /** [userId, requestId] accepted (202) whose terminal `request:update` never arrived. */
  missing: [number, number][];
  /** When each student still waiting was told the room is sold out (epoch ms). */
  toldSoldOut: number[];
  /**
   * Each submit: when it was made, how long to a socket of the client process's pool (the load
   * generator's own queue) and to the api's 202, ms.
   */
  submitsSeen: SubmitSeen[];
  /** Why setups and submits failed, by reason. */
  failures: Record<string, number>;
  /** Attempts retried (network, 5xx, 429), by reason. */
  retries: Record<string, number>;
  codesHeard: Record<string, number>;
  /** Room ticks heard (counted, not parsed: lean-socket.ts), by what the student was doing then. */
  ticksHeard: { waiting: number; afterAdmission: number; afterSoldOut: number };
  loopDelayP99Ms: number;
  /** [epoch s, the longest the client's event loop was held up in it, ms]. */
  loopStalls: [number, number][];
}

/** How much of the rush the opening timeline covers, s: slow start and the first cuts. */
const OPENING_TIMELINE_S = 20;

/** The p99 of each tenth of the students in submit order (when in the run the slow ones were). */
function p99ByTenth(timeline: [number, number, number][]): number[] {
  const bySubmit = [...timeline].sort((a, b) => a[1] - b[1]);
  const tenth = Math.ceil(bySubmit.length / 10);
  return Array.from({ length: 10 }, (_, k) => {
    const xs = bySubmit.slice(k * tenth, (k + 1) * tenth).map(([, a, b]) => b - a);
    xs.sort((a, b) => a - b);
    return round(percentile(xs, 0.99), 0);
  });
}

/**
 * The apps' log lines (pino JSON) with one of these messages, parsed, each with when it was written (s after
 * the opening), in that order.
 */
function loggedSince<E extends object>(
  processes: AppProcess[],
  openedAt: number,
  messages: readonly string[],
): { msg: string; at_s: number; entry: Partial<E> }[] {
  const out: { msg: string; at_s: number; entry: Partial<E> }[] = [];
  for (const p of processes) {
    for (const line of p.logs) {
      const msg = messages.find((m) => line.includes(`"${m}"`));
      if (msg === undefined) continue;
      try {
        const entry = JSON.parse(line) as Partial<E> & { time?: string };
        out.push({ msg, at_s: round((Date.parse(entry.time ?? '') - openedAt) / 1000, 1), entry });
      } catch {
        continue;
      }
    }
  }
  return out.sort((a, b) => a.at_s - b.at_s);
}

/**
 * When (s after the opening) the admission leader changed how often each watcher hears the room, and
 * whether work the ticks hold up was waiting then (a change without it is a step back).
 */
function liveUpdateSteps(
  processes: AppProcess[],
  openedAt: number,
): { at_s: number; ms: number; work_waiting: boolean | null }[] {
  return loggedSince<{ liveUpdateMs: number; workWaiting: boolean }>(processes, openedAt, [
    'live update interval changed',
  ]).flatMap(({ at_s, entry }) =>
    typeof entry.liveUpdateMs === 'number'
      ? [
          {
            at_s,
            ms: entry.liveUpdateMs,
            work_waiting: typeof entry.workWaiting === 'boolean' ? entry.workWaiting : null,
          },
        ]
      : [],
  );
}

/** The admission ticks the leader logged as outlasting their interval (s after the opening), by stage. */
function slowTicks(
  processes: AppProcess[],
  openedAt: number,
): { at_s: number; tick_ms: number | null; stages_ms: Record<string, number> | null }[] {
  return loggedSince<{ tickMs: number; stagesMs: Record<string, number> }>(processes, openedAt, [
    'admission tick outlasted its interval',
  ]).map(({ at_s, entry }) => ({ at_s, tick_ms: entry.tickMs ?? null, stages_ms: entry.stagesMs ?? null }));
}

/**
 * One pace step the leader logged (a cut, or slow start's end): when (s after the opening) and the
 * signals it followed.
 */
interface PaceStep {
  step: 'cut' | 'slow start ended';
  at_s: number;
  /** The pace before the step and after it. */
  from_per_min: number | null;
  rate_per_min: number;
  backlog: number | null;
  p99_ms: number | null;
  /** The busiest api process's submissions held, on average, and the mean time it held each. */
  intake: number | null;
  intake_hold_ms: number | null;
  delivered_per_min: number | null;
  /** The share of the leader's host CPU left idle over the last half second or so. */
  host_idle: number | null;
}

/**
 * The admission leader's pace steps (its 'admission pace cut' and 'admission slow start ended' lines), in
 * order, and how low the cuts took the pace.
 */
function paceSteps(
  processes: AppProcess[],
  openedAt: number,
): { steps: PaceStep[]; lowestPerMin: number | null } {
  const lines = loggedSince<{
    ratePerMin: number;
    fromPerMin?: number | null;
    backlog: number;
    p99Ms: number | null;
    deliveredPerMin: number | null;
    intake: IntakeFigures | null;
    hostIdleShare?: number | null;
  }>(processes, openedAt, ['admission pace cut', 'admission slow start ended']);
  const steps = lines.flatMap(({ msg, at_s, entry }): PaceStep[] =>
    typeof entry.ratePerMin !== 'number'
      ? []
      : [
          {
            step: msg === 'admission pace cut' ? 'cut' : 'slow start ended',
            at_s,
            from_per_min: typeof entry.fromPerMin === 'number' ? round(entry.fromPerMin, 0) : null,
            rate_per_min: round(entry.ratePerMin, 0),
            backlog: entry.backlog ?? null,
            p99_ms: typeof entry.p99Ms === 'number' ? round(entry.p99Ms, 0) : null,
            intake: entry.intake?.held ?? null,
            intake_hold_ms: entry.intake?.holdMs ?? null,
            delivered_per_min: entry.deliveredPerMin ?? null,
            host_idle: typeof entry.hostIdleShare === 'number' ? round(entry.hostIdleShare, 2) : null,
          },
        ],
  );
  const cutRates = steps.filter((c) => c.step === 'cut').map((c) => c.rate_per_min);
  return { steps, lowestPerMin: cutRates.length > 0 ? Math.min(...cutRates) : null };
}

/** Each stage of the rooms' admission ticks: how many, and the buckets their p50 and p99 fall in. */
async function stagesOf<S extends string>(
  urls: readonly string[],
  family: string,
  stages: readonly S[],
): Promise<Partial<Record<S, HistogramQuantiles>> | null> {
  const text = await metricsPages(urls);
  if (text === null) return null;
  const out: Partial<Record<S, HistogramQuantiles>> = {};
  for (const stage of stages) {
    const q = histogramQuantiles(text, family, { stage });
    if (q) out[stage] = q;
  }
  return out;
}

/** Warn-or-worse log lines of the apps (pino JSON), counted by process and message. */

function warningsIn(processes: AppProcess[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const p of processes) {
    for (const line of p.logs) {
      if (!line.startsWith('{')) continue;
      let entry: { level?: number; msg?: string; err?: { message?: string } };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if ((entry.level ?? 0) < 40) continue;
      const key = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.slice(0, 80)}` : ''}`;
      const m = (out[p.name] ??= {});
      m[key] = (m[key] ?? 0) + 1;
    }
  }
  return out;
}

export async function runRush(o: RushOptions): Promise<Record<string, unknown>> {
  // A waiting-room process holds a descriptor per socket it serves (and a client process one per
  // socket it opens), plus its own connections: more than the limit and it stops accepting.
  const fdLimit = (await readOpenFileLimit()).soft ?? undefined;
  const socketsPerProcess = (fdLimit ?? Infinity) - 2_000;
  const waitingRooms = o.waitingRooms ?? Math.max(1, Math.ceil(o.students / socketsPerProcess));
  const needed = Math.max(o.students / waitingRooms, o.students / o.clientProcesses);
  if (needed > socketsPerProcess || waitingRooms > o.clientProcesses) {
    throw new Error(
      `rush: ${Math.ceil(needed)} sockets in one process, with ${fdLimit} open files allowed` +
        (waitingRooms > o.clientProcesses ? `, or more waiting rooms than client processes` : '') +
        `: raise \`ulimit -n\`, or use more --waiting-rooms and --client-processes`,
    );
  }
  if (waitingRooms > 1 && o.waitingRooms === undefined) {
    process.stderr.write(
      `${o.students.toLocaleString('en')} sockets do not fit one process under \`ulimit -n\` ${fdLimit}: ` +
        `${waitingRooms} waiting-room processes (each client process uses one)\n`,
    );
  }
  const perClient = Math.ceil(o.students / o.clientProcesses);
  if (perClient + Math.min(o.httpSockets, perClient) > socketsPerProcess)
    throw new Error(
      `rush: ${perClient} sockets to the waiting room and ${o.httpSockets} to the api in one client process, ` +
        `with ${fdLimit} open files allowed: lower --http-sockets or use more --client-processes`,
    );
  const guard = new RunGuard('rush', Date.now() + o.timeLimitS * 1000, o.timeLimitS, ' (--time-limit)');
  const onSignal = () => guard.abort('interrupted');
  const env = await createBenchEnv('rush');
  const listener = duplicateRedis(env.redis);
  const extra: AppProcess[] = [];
  // `on`, not `once`: tsx relays a Ctrl-C more than once, and exits the process if no listener is left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const built = Date.now();
    const world = await buildWorld(env.db, o.students, {
      ratePerMin: o.ratePerMin,
      admissionMode: o.admissionMode,
      maxActive: o.maxActive ?? o.students,
    });
    const warm = await buildWarmUp(env.db, o.warmUp);
    const cartIds = (s: Student, ids: number[]) => s.cart.map((i) => ids[i]!);
    process.stderr.write(
      `world: ${o.students.toLocaleString('en')} students, ${SECTIONS} sections of ${CAPACITY} (${HOT} hot), ` +
        `twice (Rushline and baseline), built in ${round((Date.now() - built) / 1000, 1)} s\n`,
    );

    const started = await Promise.all([
      ...Array.from({ length: o.apiProcesses }, () => env.start('api')),
      ...Array.from({ length: waitingRooms }, () => env.start('waiting-room')),
      ...Array.from({ length: WORKERS }, () => env.start('worker', o.workerEnv)),
    ]);
    const apis = started.slice(0, o.apiProcesses);
    const wrs = started.slice(o.apiProcesses, o.apiProcesses + waitingRooms);
    const workers = started.slice(o.apiProcesses + waitingRooms);

    // Clients: contiguous slices of the students, their plans handed over through Redis.
    const fleet = await startClientFleet<ClientProgress, ClientReport>({
      env,
      scenario: 'rush',
      listener,
      plans: sliceEvenly(world.students, o.clientProcesses).map((slice) =>
        slice.map((s) => [s.userId, ...cartIds(s, world.rushSections)]),
      ),
      envOf: (p) => ({
        RUSH_WR_URL: wrs[p % wrs.length]!.url,
        RUSH_API_URL: apis[p % apis.length]!.url,
        RUSH_ROOM_ID: String(world.roomId),
        RUSH_HTTP_SOCKETS: String(o.httpSockets),
      }),
    });
    const clients = fleet.clients;
    extra.push(...clients);
    const total = (k: keyof ClientProgress) => fleet.total(k);
    const alive = () => assertAlive('rush', [...clients, ...wrs, ...apis, ...workers]);

    // Everyone connects, joins the pre-queue and watches before the room opens.
    await followCount({
      label: 'students connect, join, watch',
      goal: o.students,
      value: () => total('watching') + total('setupFailed'),
      stallMs: STALL_MS,
      onStall: (ready) => {
        throw new Error(`rush: setup stalled at ${ready} of ${o.students}`);
      },
      check: () => {
        guard.check('connecting students');
        alive();
      },
    });
    const watching = total('watching');

    const warmUpS = await warmUpRushline(
      env,
      warm,
      apis.map((a) => a.url),
      guard,
    );
    process.stderr.write(
      `warm-up: ${o.warmUp.toLocaleString('en')} carts decided in ${round(warmUpS, 1)} s\n`,
    );
    await sleep(WARM_UP_SETTLE_MS);

    const staffToken = signAccessToken(env.cfg.auth, {
      id: world.staffId,
      username: 'rush-operator',
      role: 'staff',
    }).token;
    const opened = await postJson(
      new Agent(),
      `${wrs[0]!.url}/operator/rooms/${world.roomId}/actions/open`,
      { authorization: `Bearer ${staffToken}` },
      {},
      10_000,
    ).catch((err: unknown) => {
      throw new Error(`rush: opening the room failed: ${networkCodeOf(err)}`);
    });
    if (opened.status !== 200)
      throw new Error(`rush: opening the room failed: ${JSON.stringify(opened.body)}`);
    const openedAt = Date.now();
    const servers = serverPids();
    const pidsOf = (ps: AppProcess[]) => ps.map((x) => x.proc.pid ?? 0);
    const rushPids = {
      api: pidsOf(apis),
      waiting_room: pidsOf(wrs),
      workers: pidsOf(workers),
      clients: pidsOf(clients),
      ...servers,
    };
    const rushCpuStart = cpuSample(rushPids);
    // Each process's CPU second by second over the opening: whether the api is slow there for want of a core.
    const openingCpu = [rushCpuStart];
    const openingCpuTimer = setInterval(() => {
      if (openingCpu.length > OPENING_TIMELINE_S) clearInterval(openingCpuTimer);
      else openingCpu.push(cpuSample(rushPids));
    }, 1_000);

    // Admission paces them in; each submits on its `admitted` and waits for its outcome.
    const stalled = await followCount({
      label: 'admitted → submitted → outcome',
      goal: watching,
      value: () => total('outcomes') + total('submitFailed') + total('toldSoldOut'),
      stallMs: STALL_MS,
      onStall: () => undefined, // report what there is
      check: () => {
        guard.check('admitting and committing');
        alive();
      },
    });
    clearInterval(openingCpuTimer);
    const rushCpuEnd = cpuSample(rushPids);
    const rushCpu = cpuBetween(rushCpuStart, rushCpuEnd);
    // CPU spent per request (ms) while admitting and committing, by process.
    const perRequest = (pct: number | undefined) =>
      round(((pct ?? 0) * (rushCpuEnd.at - rushCpuStart.at)) / 100 / Math.max(1, watching), 2);
    if (stalled) process.stderr.write(`no outcome for ${STALL_MS / 1000} s: reporting what there is\n`);

    const rep = await fleet.collectReports(guard);

    // Rushline's figures, before the baseline writes anything.
    const invariants: Invariants = await checkInvariants(env.db);
    const missing = rep.flatMap((r) => r.missing);
    let undelivered = 0;
    for (let i = 0; i < missing.length; i += 1_000) {
      const [row] = await env
        .db('requests')
        .whereIn(
          'id',
          missing.slice(i, i + 1_000).map(([, id]) => id),
        )
        .whereNot('status', 'queued')
        .count<{ n: number }[]>('* as n');
      undelivered += Number(row?.n ?? 0);
    }
    const drawOrder = await readDrawOrder(
      env.redis,
      redisKeys(env.cfg.redis.prefix).room(world.roomId, 'tokens'),
    );
    const outcomes = await countBy(
      env.db,
      env.db('requests').where({ room_id: world.roomId }),
      'outcome_code',
    );
    const { requests, firstMs, lastMs } = await requestSpan(env.db, world.roomId, openedAt);
    const [seats] = await env
      .db('sections')
      .whereIn('id', world.rushSections)
      .select<{ taken: number; hotFull: number }[]>(
        env.db.raw('SUM(enrolled) AS taken'),
        env.db.raw('SUM(enrolled >= capacity AND id IN (?)) AS hotFull', [world.rushSections.slice(0, HOT)]),
      );
    const health = await workerHealth(workers);
    const timeline = rep.flatMap((r) => r.timeline);
    const stages = { stages: await latencyStages(env.db, timeline), byTenth: p99ByTenth(timeline) };
    const latencies = rep.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const submits = rep.flatMap((r) => r.submits).sort((a, b) => a[1] - b[1]);
    const merge = (pick: (r: ClientReport) => Record<string, number>) => mergeCounts(rep, pick);
    const failures = merge((r) => r.failures);
    const seen = rep.flatMap((r) => r.submitsSeen);
    const accepted = seen.flatMap((x) => x.acceptedMs ?? []).sort((a, b) => a - b);
    const socketWaits = seen.flatMap((x) => x.socketMs ?? []).sort((a, b) => a - b);
    const submitSpanS = submits.length < 2 ? 0 : (submits.at(-1)![1] - submits[0]![1]) / 1000;

    // First: prom-client's loop delay counts since the previous scrape, and the other reads scrape too;
    // what the periodic scrapes read before is in env.loops.
    const loops = await loopFigures(
      [apis, wrs, workers].flat().map((p) => p.url),
      env.loops,
    );
    const apiSubmit = await serverLatency(
      apis.map((a) => a.url),
      'POST',
      '/api/enrollments',
    );
    const appWarnings = warningsIn([...apis, ...wrs, ...workers]);
    const admissionStages = await stagesOf(
      wrs.map((w) => w.url),
      'rushline_admission_stage_seconds',
      ADMISSION_STAGES,
    );
    const submitStages = await stagesOf(
      apis.map((a) => a.url),
      'rushline_submit_stage_seconds',
      SUBMIT_STAGES,
    );
    const pace = paceSteps(wrs, openedAt);
    // Rushline stops: the baseline gets the machine to itself, as Rushline had it.
    await Promise.allSettled(clients.map((c) => c.stop()));
    await Promise.allSettled([...wrs, ...apis, ...workers].map((p) => p.stop()));

    const baselineServer = await startProcess(
      'baseline-enroll',
      path.join(import.meta.dirname, 'baseline-enroll-server.ts'),
      env.env,
    );
    extra.push(baselineServer);
    const baselineWarmUpS = await warmUpBaseline(baselineServer.url, warm, guard);
    await sleep(WARM_UP_SETTLE_MS);
    // Every student's cart: those who submitted in Rushline's run in their submit order (the draw's), then
    // the others (told sold out, never admitted), who without a waiting room would have submitted too.
    const byUser = new Map(world.students.map((s) => [s.userId, s]));
    const submitted = new Set(submits.map(([userId]) => userId));
    const others = world.students.filter((s) => !submitted.has(s.userId));
    // Offered at their own moment (`admitted`), the others come when the room told everyone still waiting
    // that it was sold out (it tells them all at once, ADR 013), or else with the last submit.
    const soldOutAt = rep.flatMap((r) => r.toldSoldOut).reduce((a, b) => Math.min(a, b), Infinity);
    const lastAt = submits.at(-1)?.[1] ?? openedAt;
    const everyone: [number, number][] = [
      ...submits,
      ...others.map((s): [number, number] => [s.userId, Number.isFinite(soldOutAt) ? soldOutAt : lastAt]),
    ];
    const t0 = everyone[0]?.[1] ?? 0; // the first submit, if any
    const offsetOf = (at: number, i: number): number => {
      if (o.baselineRate) return (i * 1000) / o.baselineRate;
      if (o.baselineOffer === 'opening') return (i * o.arrivalS * 1000) / Math.max(1, everyone.length);
      return at - t0;
    };
    const schedule = everyone
      .map(([userId, at], i) => ({
        at: offsetOf(at, i),
        userId,
        sectionIds: cartIds(byUser.get(userId)!, world.baseSections),
      }))
      .sort((a, b) => a.at - b.at);
    const basePids = { baseline: pidsOf([baselineServer]), ...servers };
    const baseCpuStart = cpuSample(basePids);
    const base = await replayBaseline(
      baselineServer.url,
      schedule,
      guard,
      // At least the 1,024 it always had; as many as Rushline's clients have in all when that is more.
      Math.max(1_024, Math.min(o.httpSockets * o.clientProcesses, socketsPerProcess)),
    );
    const baseCpu = cpuBetween(baseCpuStart, cpuSample(basePids));
    await baselineServer.stop();
    const afterBaseline = await checkInvariants(env.db);

    const p99 = percentile(latencies, 0.99);
    // The whole wait of Rushline's students, waiting room included: opening → outcome heard.
    // A student told "all sections are full" while waiting has their answer then (ADR 013).
    const opening = openingTimeline(
      openedAt,
      {
        submitted: seen,
        accepted: seen.flatMap((x) => (x.acceptedMs === undefined ? [] : [x.at + x.acceptedMs])),
        decided: rep.flatMap((r) => r.timeline.map(([, , heardAt]) => heardAt)),
        clientStalls: rep.flatMap((r) => r.loopStalls),
      },
      OPENING_TIMELINE_S,
    );
    const fromOpening = rep
      .flatMap((r) => [...r.timeline.map(([, , heardAt]) => heardAt), ...r.toldSoldOut])
      .map((at) => at - openedAt)
      .sort((a, b) => a - b);
    return {
      scenario: 'rush',
      topology: {
        http_sockets_per_client_process: o.httpSockets,
        processes: {
          api: apis.length,
          'waiting-room': wrs.length,
          worker: WORKERS,
          'rush-clients': clients.length,
        },
        clients_per_process: {
          students: sliceEvenly(world.students, o.clientProcesses).map((s) => s.length),
        },
      },
      students: o.students,
      client_processes: clients.length,
      waiting_room_processes: wrs.length,
      admission_rate_per_min: o.ratePerMin,
      admission_mode: o.admissionMode,
      pace_cuts: pace.steps.filter((c) => c.step === 'cut').length,
      pace_cut_log: pace.steps,
      live_update_log: liveUpdateSteps(wrs, openedAt),
      slow_admission_ticks: slowTicks(wrs, openedAt),
      pace_lowest_per_min: pace.lowestPerMin,
      max_active: o.maxActive ?? o.students,
      requests,
      drain_s: round((lastMs - openedAt) / 1000, 2),
      commits_per_s: round(requests / Math.max(0.001, (lastMs - firstMs) / 1000)),
      submits_per_s: round(submits.length / Math.max(0.001, submitSpanS)),
      p50_submit_to_outcome_ms: round(percentile(latencies, 0.5)),
      p99_submit_to_outcome_ms: round(p99),
      p50_submit_to_202_ms: round(percentile(accepted, 0.5)),
      p99_submit_to_202_ms: round(percentile(accepted, 0.99)),
      p99_submit_to_socket_ms: round(percentile(socketWaits, 0.99)),
      max_submit_to_outcome_ms: round(latencies.at(-1) ?? NaN),
      p50_opening_to_outcome_ms: round(percentile(fromOpening, 0.5)),
      p99_opening_to_outcome_ms: round(percentile(fromOpening, 0.99)),
      warm_up: { carts: o.warmUp, rushline_s: round(warmUpS, 1), baseline_s: round(baselineWarmUpS, 1) },
      baseline_offer: o.baselineRate ? `${o.baselineRate}/s` : o.baselineOffer,
      baseline_requests: base.requests,
      baseline_not_submitted_in_rushline: others.length,
      baseline_offered_per_s: round(base.offeredPerS),
      baseline_p50_ms: round(base.p50),
      baseline_p99_ms: round(base.p99),
      baseline_error_rate: round(base.errorCount / Math.max(1, base.requests), 4),
      ratio_p99: round(base.p99 / p99, 2),
      ...invariants,
      undelivered,
      draw_order: drawOrder,
      outcomes,
      baseline_outcomes: base.outcomes,
      baseline_errors: base.errors,
      baseline_oversold: afterBaseline.oversold - invariants.oversold,
      baseline_count_mismatches: afterBaseline.count_mismatches - invariants.count_mismatches,
      seats_taken: Number(seats?.taken ?? 0),
      hot_sections_full: Number(seats?.hotFull ?? 0),
      watching,
      setup_failed: total('setupFailed'),
      not_admitted: watching - total('admitted'),
      told_sold_out: total('toldSoldOut'),
      admitted_via_status: total('admittedViaStatus'),
      submit_failed: total('submitFailed'),
      failures,
      outcomes_heard: latencies.length,
      retries: merge((r) => r.retries),
      codes_heard: merge((r) => r.codesHeard),
      room_ticks_heard: merge((r) => r.ticksHeard),
      app_warnings: appWarnings,
      socket_disconnects: total('disconnects'),
      client_loop_delay_p99_ms: Math.max(...rep.map((r) => r.loopDelayP99Ms)),
      ...batchFigures(health),
      stages_ms: stages.stages,
      // The api's own answer time for the submits (its histogram): the rest of submit → 202 is before it.
      api_submit_server_ms: apiSubmit,
      // Where the admission leader's ticks spent their time, by stage (its histogram; setup included).
      admission_stage_ms: admissionStages,
      submit_stage_ms: submitStages,
      // Each app process's event loop over the run (delay and GC), in the order api, waiting room, worker.
      event_loops: Object.fromEntries(
        [apis, wrs, workers].flat().map((p, i) => [`${p.name} ${p.port}`, loops[i] ?? null]),
      ),
      p99_by_tenth_ms: stages.byTenth,
      opening_timeline: { ...opening, cpu_pct: cpuSeries(openingCpu) },
      cpu_pct: rushCpu,
      cpu_ms_per_request: {
        api: perRequest(rushCpu.api),
        waiting_room: perRequest(rushCpu.waiting_room),
        workers: perRequest(rushCpu.workers),
        mysqld: perRequest(rushCpu.mysqld),
      },
      baseline_cpu_pct: baseCpu,
      stalled,
    };
  } catch (err) {
    process.stderr.write('\n'); // past a progress bar's line
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    listener.disconnect();
    await Promise.allSettled(extra.map((p) => p.kill()));
    await env.teardown();
  }
}
