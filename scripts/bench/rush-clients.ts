import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { signAccessToken } from '../../core/auth/access-token.js';
import type { RequestView } from '../../core/requests/request-types.js';
import { errorCodeOf, networkCodeOf, postJson } from './bench-http.js';
import {
  forEachConcurrently,
  loopDelayMeter,
  loopStallsBySecond,
  openClientProcess,
  requireEnv,
} from './client-process.js';
import { connected, LeanSocket } from './lean-socket.js';
import type { ClientProgress, ClientReport } from './rush-scenario.js';
import { bump } from './stats.js';

/**
 * A load-generator process for the `rush` scenario: the students of its plan (RUSH_CLIENT's slice, read
 * from Redis), each behaving like the waiting-room page and then the registration page: a socket
 * (signed in with its own access token), POST /rooms/:id/join, `watch`; on `admitted`, one
 * POST /api/enrollments with its cart, Idempotency-Key and X-Admission-Token; then it waits for the
 * terminal `request:update`. Reports its counters every half second and, on `report`, everything.
 */
interface Student {
  userId: number;
  cart: number[];
  token: string;
  socket?: LeanSocket;
  admission?: string;
  requestId?: number;
  /** `request:update`s heard before the api's 202 named the request. */
  early: RequestView[];
  startedAt?: number;
  submitAt?: number;
  latencyMs?: number;
  heardAt?: number;
  /** Submit → the api's 202, ms. */
  acceptedMs?: number;
  /** Submit → a socket of this process's pool. */
  socketMs?: number;
  /** When the room told this student, still waiting, that every section is full. */
  toldSoldOutAt?: number;
  /** Room ticks this student's socket had heard when let in, and when told the room is sold out. */
  ticksAtAdmission?: number;
  ticksAtSoldOut?: number;
}

const ticksOf = (s: Student) => s.socket?.ignored.get('room:tick') ?? 0;

const client = await openClientProcess<number[]>('rush');
const { cfg, p, plan } = client;
const wrUrl = requireEnv('RUSH_WR_URL');
const apiUrl = requireEnv('RUSH_API_URL');
const roomId = Number(requireEnv('RUSH_ROOM_ID'));
const students: Student[] = plan.map(([userId, ...cart]) => ({
  userId: userId!,
  cart,
  token: signAccessToken(cfg.auth, { id: userId!, username: `rush${userId}`, role: 'student' }).token,
  early: [],
}));
// The scenario's --http-sockets (RUSH_HTTP_SOCKETS): a small pool queues submits here, in the load
// generator, where that wait counts in submit → 202 though the api never saw it (ADR 025).
const agent = new Agent({ keepAlive: true, maxSockets: Number(process.env.RUSH_HTTP_SOCKETS ?? 256) });
const loopDelayP99Ms = loopDelayMeter();
const loopStalls = loopStallsBySecond();

const counters: ClientProgress = {
  p,
  connected: 0,
  joined: 0,
  watching: 0,
  setupFailed: 0,
  admitted: 0,
  admittedViaStatus: 0,
  submitted: 0,
  accepted: 0,
  submitFailed: 0,
  outcomes: 0,
  toldSoldOut: 0,
  disconnects: 0,
};
const failures: Record<string, number> = {};
/** Attempts that were retried, by reason (a final failure is counted in `failures` too). */
const retries: Record<string, number> = {};
const codesHeard: Record<string, number> = {};

/** Retries what a real page would retry (network, 5xx, 429), a few times with a growing pause. */
async function post(url: string, headers: Record<string, string>, body: unknown, onSocket?: () => void) {
  let last = '';
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      const res = await postJson(agent, url, headers, body, 30_000, attempt === 1 ? onSocket : undefined);
      if (res.status < 500 && res.status !== 429) return res;
      last = `HTTP_${res.status}_${errorCodeOf(res.body) ?? 'ERROR'}`;
    } catch (err) {
      last = networkCodeOf(err);
    }
    bump(retries, last);
    await sleep(250 * attempt);
  }
  throw new Error(last);
}

function finish(s: Student, u: RequestView): void {
  if (s.latencyMs !== undefined || s.startedAt === undefined) return;
  s.latencyMs = performance.now() - s.startedAt;
  s.heardAt = Date.now();
  counters.outcomes++;
  bump(codesHeard, u.outcome?.code ?? u.status);
  // Done: the student leaves the room's page (the first stays, to notice the end of the queue).
  if (s !== students[0]) s.socket?.emit('unwatch', { roomId });
}

function onUpdate(s: Student, u: RequestView): void {
  if (u.status === 'queued') return;
  if (s.requestId === undefined) s.early.push(u);
  else if (u.id === s.requestId) finish(s, u);
}

async function submit(s: Student): Promise<void> {
  counters.submitted++;
  s.startedAt = performance.now();
  s.submitAt = Date.now();
  try {
    const res = await post(
      `${apiUrl}/api/enrollments`,
      {
        authorization: `Bearer ${s.token}`,
        'idempotency-key': `rush-${s.userId}-cart`,
        'x-admission-token': s.admission!,
      },
      { sectionIds: s.cart },
      () => (s.socketMs ??= performance.now() - s.startedAt!),
    );
    if (res.status !== 202) throw new Error(`HTTP_${res.status}_${errorCodeOf(res.body) ?? 'ERROR'}`);
    s.requestId = (res.body as { requestId: number }).requestId;
    s.acceptedMs = performance.now() - s.startedAt;
    counters.accepted++;
    const heard = s.early.find((u) => u.id === s.requestId);
    if (heard) finish(s, heard);
  } catch (err) {
    counters.submitFailed++;
    bump(failures, `submit: ${networkCodeOf(err)}`);
  }
}

/**
 * The room says what it guards is gone (ADR 013): for a student still waiting that is their answer, heard
 * without being admitted; if seats come back the room says so and they wait again.
 */
function onSoldOut(s: Student, soldOut: boolean): void {
  if (s.admission) return;
  if (soldOut && s.toldSoldOutAt === undefined) {
    s.toldSoldOutAt = Date.now();
    s.ticksAtSoldOut = ticksOf(s);
    counters.toldSoldOut++;
  } else if (!soldOut) forgetSoldOut(s);
}

function forgetSoldOut(s: Student): void {
  if (s.toldSoldOutAt === undefined) return;
  s.toldSoldOutAt = undefined;
  s.ticksAtSoldOut = undefined;
  counters.toldSoldOut--;
}

function onAdmitted(s: Student, token: string, viaStatus: boolean): void {
  if (s.admission) return;
  forgetSoldOut(s);
  s.admission = token;
  s.ticksAtAdmission = ticksOf(s);
  lastAdmittedAt = Date.now();
  counters.admitted++;
  if (viaStatus) counters.admittedViaStatus++;
  void submit(s);
}

async function watch(s: Student): Promise<void> {
  const reply = await s.socket!.emitWithAck('watch', { roomId }, 30_000);
  if (!reply.ok) throw new Error(reply.error.code);
  // Let in while not listening (e.g. reconnecting): the room's answer carries the token.
  if (reply.status.admitted && reply.status.admissionToken) onAdmitted(s, reply.status.admissionToken, true);
}

async function setUp(s: Student): Promise<void> {
  const socket = new LeanSocket(wrUrl, s.token);
  s.socket = socket;
  socket.on('admitted', (m) => {
    if (m.roomId === roomId) onAdmitted(s, m.admissionToken, false);
  });
  socket.on('request:update', (u) => onUpdate(s, u));
  socket.on('room:soldOut', (m) => {
    if (m.roomId === roomId) onSoldOut(s, m.soldOut);
  });
  socket.on('disconnect', () => counters.disconnects++);
  await connected(socket, 60_000);
  counters.connected++;
  // After a reconnect (a new session: the lean socket does not recover one) watch again, as the page does.
  socket.on('connect', () => {
    if (s.latencyMs === undefined) watch(s).catch(() => undefined);
  });
  const joined = await post(
    `${wrUrl}/rooms/${roomId}/join`,
    { authorization: `Bearer ${s.token}` },
    { clientRequestId: `rush-${s.userId}-join` },
  );
  if (joined.status !== 200 && joined.status !== 201) {
    throw new Error(`join HTTP_${joined.status}_${errorCodeOf(joined.body) ?? 'ERROR'}`);
  }
  counters.joined++;
  await watch(s);
  counters.watching++;
}

/** Everyone was let in (nobody waits) but some never heard `admitted`: ask the room, as the page does. */
let lastSweep = 0;
let lastAdmittedAt = 0;
function sweepMissedAdmissions(): void {
  if (Date.now() - lastSweep < 5_000) return;
  lastSweep = Date.now();
  setTimeout(() => {
    for (const s of students) if (s.socket?.connected && !s.admission) watch(s).catch(() => undefined);
  }, 2_000);
}

/** The room ticks these students heard: while waiting, once let in, once told the room is sold out. */
function ticksHeard(): ClientReport['ticksHeard'] {
  const heard = { waiting: 0, afterAdmission: 0, afterSoldOut: 0 };
  for (const s of students) {
    const all = ticksOf(s);
    const until = s.ticksAtAdmission ?? s.ticksAtSoldOut ?? all;
    heard.waiting += until;
    if (s.ticksAtAdmission !== undefined) heard.afterAdmission += all - until;
    else if (s.ticksAtSoldOut !== undefined) heard.afterSoldOut += all - until;
  }
  return heard;
}

function report(): ClientReport {
  return {
    p,
    progress: { ...counters },
    latencies: students.flatMap((s) =>
      s.latencyMs === undefined ? [] : [Math.round(s.latencyMs * 10) / 10],
    ),
    submits: students.flatMap((s): [number, number][] =>
      s.submitAt === undefined ? [] : [[s.userId, s.submitAt]],
    ),
    timeline: students.flatMap((s): [number, number, number][] =>
      s.requestId === undefined || s.heardAt === undefined ? [] : [[s.requestId, s.submitAt!, s.heardAt]],
    ),
    toldSoldOut: students.flatMap((s) => (s.toldSoldOutAt === undefined ? [] : [s.toldSoldOutAt])),
    missing: students.flatMap((s): [number, number][] =>
      s.requestId !== undefined && s.latencyMs === undefined ? [[s.userId, s.requestId]] : [],
    ),
    submitsSeen: students.flatMap((s) =>
      s.submitAt === undefined ? [] : [{ at: s.submitAt, socketMs: s.socketMs, acceptedMs: s.acceptedMs }],
    ),
    ticksHeard: ticksHeard(),
    failures,
    retries,
    codesHeard,
    loopDelayP99Ms: loopDelayP99Ms(),
    loopStalls: loopStalls(),
  };
}

const publishProgress = await client.serve({
  counters,
  report,
  onStop: () => {
    for (const s of students) s.socket?.disconnect();
    agent.destroy();
  },
  listening: `rush clients listening: ${students.length} students`,
});

await forEachConcurrently(students, 100, (s) =>
  setUp(s).catch((err: unknown) => {
    counters.setupFailed++;
    bump(failures, `setup: ${networkCodeOf(err)}`);
  }),
);
// Admissions have stopped coming while some here were never let in: ask the room, as the page does
// when a tick shows its number called (people let in hear no more ticks, so this watches the clock).
setInterval(() => {
  if (lastAdmittedAt > 0 && Date.now() - lastAdmittedAt > 5_000 && counters.admitted < students.length)
    sweepMissedAdmissions();
}, 1_000).unref();
publishProgress();
