import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import { signAccessToken } from '../../core/auth/access-token.js';
import type { RequestView } from '../../core/requests/request-types.js';
import { networkCodeOf } from './bench-http.js';
import { forEachConcurrently, loopDelayMeter, openClientProcess, requireEnv } from './client-process.js';
import { connected, LeanSocket } from './lean-socket.js';
import type { SeatsProgress, SeatsReport } from './seats-scenario.js';
import type { HoldAction, UserPlan, Want } from './seats-world.js';
import { bump } from './stats.js';

/**
 * A load-generator process for the `seats` scenario: the users of its plan (SEATS_CLIENT's slice, read
 * from Redis). Each opens a socket to the waiting room (signed in with its own access token, so it is
 * in its `user:<id>` room) before the start; at its arrival time it signs its admission token, POSTs
 * /api/reservations and waits for the terminal `request:update` (polling GET /api/requests/:id only if
 * none came after PUSH_TIMEOUT_MS, counted as undelivered), may ask again, or for more from a second tab
 * (which the api refuses while the first hold is live: one live reservation per admission, ADR 015), then
 * acts on each hold: pay (and maybe cancel after paying: a refund), pay with `card_declined` (and maybe
 * again with a good card), cancel, pay too late, or nothing. Reports its counters every half second and,
 * on `report`, everything.
 */
interface User {
  plan: UserPlan;
  token: string;
  socket?: LeanSocket;
  /** Requests whose outcome this user is waiting for, by id. */
  waiters: Map<number, (u: RequestView) => void>;
  /** Terminal updates heard before the api's 202 named the request. */
  early: Map<number, RequestView>;
}

interface Hold {
  reservationId: number;
  holdExpiresAt: number;
}

interface Answer {
  status: number;
  code: string | undefined;
  body: unknown;
}

const PUSH_TIMEOUT_MS = 20_000;
const PUSH_GRACE_MS = 2_000;
const POLL_MS = 1_000;

const client = await openClientProcess<UserPlan>('seats');
const { cfg, p } = client;
const wrUrl = requireEnv('SEATS_WR_URL');
const apiUrl = requireEnv('SEATS_API_URL');
const roomId = Number(requireEnv('SEATS_ROOM_ID'));
const eventId = Number(requireEnv('SEATS_EVENT_ID'));

const users: User[] = client.plan.map((plan) => ({
  plan,
  token: signAccessToken(cfg.auth, { id: plan.userId, username: `seats${plan.userId}`, role: 'student' })
    .token,
  waiters: new Map(),
  early: new Map(),
}));
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const loopDelayP99Ms = loopDelayMeter();

const counters: SeatsProgress = {
  p,
  connected: 0,
  setupFailed: 0,
  arrived: 0,
  submitted: 0,
  outcomes: 0,
  done: 0,
  submitFailed: 0,
};
const latencies: number[] = [];
const payLatencies: number[] = [];
const timeline: [number, number, number][] = [];
const payTimeline: [number, number, number][] = [];
const expectations: [number, string][] = [];
const answers: Record<string, number> = {};
const failures: Record<string, number> = {};
let undelivered = 0;
let disconnects = 0;

/** Only `{ error: { code } }`: a body's own `code` field is not an error here. */
const errorCodeOf = (body: unknown): string | undefined => {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : undefined;
};

/** One HTTP call to the api over the keep-alive agent; resolves with any status, rejects on network errors. */
function call(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${apiUrl}${path}`,
      {
        method,
        agent,
        timeout: 30_000,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, code: errorCodeOf(parsed), body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Retries what a real page would retry (network errors, 5xx, 429) a few times, with the same
 * Idempotency-Key: every call made through here is safe to repeat. Each retry is counted.
 */
async function callRetrying(
  label: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  let last = '';
  for (let attempt = 1; attempt <= 4; attempt++) {
    try {
      const res = await call(method, path, headers, body);
      if (res.status < 500 && res.status !== 429) return res;
      last = `HTTP_${res.status}_${res.code ?? 'ERROR'}`;
    } catch (err) {
      last = networkCodeOf(err);
    }
    bump(failures, `retried ${label}: ${last}`);
    await sleep(250 * attempt);
  }
  throw Object.assign(new Error(last), { code: last });
}

const auth = (u: User) => ({ authorization: `Bearer ${u.token}` });

function onUpdate(u: User, v: RequestView): void {
  if (v.status === 'queued') return;
  const waiter = u.waiters.get(v.id);
  if (waiter) waiter(v);
  else u.early.set(v.id, v);
}

/**
 * The outcome of a request as the user learns it: its `request:update`, or, if none came within
 * PUSH_TIMEOUT_MS, what polling finds (after waiting PUSH_GRACE_MS more for the push; counted undelivered).
 */
function outcomeOf(u: User, requestId: number): Promise<RequestView> {
  const early = u.early.get(requestId);
  if (early) {
    u.early.delete(requestId);
    return Promise.resolve(early);
  }
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout;
    const done = (v: RequestView, pushed: boolean) => {
      if (settled) return;
      settled = true;
      u.waiters.delete(requestId);
      clearTimeout(timer);
      if (!pushed) undelivered++;
      resolve(v);
    };
    u.waiters.set(requestId, (v) => done(v, true));
    const poll = async () => {
      try {
        const res = await call('GET', `/api/requests/${requestId}`, auth(u));
        const v = res.body as RequestView;
        if (!settled && res.status === 200 && v.status !== 'queued') {
          timer = setTimeout(() => done(v, false), PUSH_GRACE_MS);
          return;
        }
      } catch {
        // try again below
      }
      if (!settled) timer = setTimeout(() => void poll(), POLL_MS);
    };
    timer = setTimeout(() => void poll(), PUSH_TIMEOUT_MS);
  });
}

/**
 * POST /api/reservations and wait for the outcome; undefined if the submit failed or was refused. A refusal
 * the user's own situation calls for (`expectedRefusal`, what the page would show them) is counted among the
 * answers as `<label> <status> <code>`, not as a failure: the failures are what no user should meet.
 */
async function reserve(
  u: User,
  want: Want,
  admission: string,
  n: number,
  expectedRefusal?: { label: string; code: string },
): Promise<RequestView | undefined> {
  counters.submitted++;
  const started = performance.now();
  const submitAt = Date.now();
  let res: Answer;
  try {
    res = await callRetrying(
      'reserve',
      'POST',
      '/api/reservations',
      { ...auth(u), 'idempotency-key': `seats-${u.plan.userId}-${n}`, 'x-admission-token': admission },
      { eventId, ...want },
    );
  } catch (err) {
    counters.submitFailed++;
    bump(failures, `reserve: ${networkCodeOf(err)}`);
    return undefined;
  }
  if (expectedRefusal && res.code === expectedRefusal.code) {
    bump(answers, `${expectedRefusal.label} ${res.status} ${res.code}`);
    return undefined;
  }
  if (res.status !== 202) {
    counters.submitFailed++;
    bump(failures, `reserve: HTTP_${res.status}_${res.code ?? 'ERROR'}`);
    return undefined;
  }
  const body = res.body as { requestId: number; request: RequestView };
  const view = body.request.status === 'queued' ? await outcomeOf(u, body.requestId) : body.request;
  latencies.push(Math.round((performance.now() - started) * 10) / 10);
  timeline.push([body.requestId, submitAt, Date.now()]);
  counters.outcomes++;
  return view;
}

/** One step on a hold (pay, cancel…), its answer counted as `<label> <status> [code]`. */
async function step(
  label: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer | undefined> {
  const started = performance.now();
  try {
    const res = await callRetrying(label, method, path, headers, body);
    if (method === 'POST') payLatencies.push(Math.round((performance.now() - started) * 10) / 10);
    // A cancellation says what became of the money: `refunded`, `pending` (retried later) or `none`.
    const refund = (res.body as { refund?: unknown } | null)?.refund;
    const detail = res.code ?? (typeof refund === 'string' && refund !== 'none' ? refund : undefined);
    bump(answers, `${label} ${res.status}${detail ? ` ${detail}` : ''}`);
    return res;
  } catch (err) {
    bump(failures, `${label}: ${networkCodeOf(err)}`);
    return undefined;
  }
}

/** What the user does with one hold, and the reservation status its answers imply once the run settles. */
async function act(u: User, h: Hold, action: HoldAction): Promise<void> {
  const expect = (status: string) => void expectations.push([h.reservationId, status]);
  const endedBy = (res: Answer | undefined, ok: number, status: string) => {
    if (!res) return; // network failure: the user can't know
    expect(res.status === ok ? status : res.code === 'HOLD_EXPIRED' ? 'expired' : `unexpected ${res.status}`);
  };
  if (action === 'none') return expect('expired');
  // Paying too late: just after the hold ran out (its expiry may not have run yet: it must be refused anyway).
  await sleep(action === 'late' ? Math.max(0, h.holdExpiresAt + 1_500 - Date.now()) : u.plan.thinkMs);
  const path = `/api/reservations/${h.reservationId}`;
  const key = (k: string) => ({ ...auth(u), 'idempotency-key': `pay-${h.reservationId}-${k}` });
  if (action === 'cancel') return endedBy(await step('cancel', 'DELETE', path, auth(u)), 200, 'cancelled');
  if (action === 'decline' || action === 'decline-then-pay') {
    const declined = await step('decline', 'POST', `${path}/pay`, key('declined'), {
      paymentMethod: 'card_declined',
    });
    if (action === 'decline' || declined?.status !== 402) return endedBy(declined, 402, 'expired');
  }
  const sentAt = Date.now();
  const paid = await step(action === 'late' ? 'late' : 'pay', 'POST', `${path}/pay`, key('card'), {});
  if (paid?.status === 200) payTimeline.push([h.reservationId, sentAt, Date.now()]);
  if (action !== 'pay-then-cancel' || paid?.status !== 200) return endedBy(paid, 200, 'confirmed');
  // Changed their mind: the seats go back at once and the money after.
  await sleep(u.plan.thinkMs);
  endedBy(await step('cancel-paid', 'DELETE', path, auth(u)), 200, 'cancelled');
}

/** One user from arrival to done. */
async function runUser(u: User, startAt: number): Promise<void> {
  await sleep(Math.max(0, startAt + u.plan.atMs - Date.now()));
  counters.arrived++;
  try {
    const admission = signAdmissionToken(cfg.admission, {
      userId: u.plan.userId,
      roomId,
      queueNumber: u.plan.queueNumber,
    }).token;
    const holds: Hold[] = [];
    const take = (v: RequestView | undefined) => {
      const d = v?.outcome?.details;
      if (v?.outcome?.code === 'SEATS_HELD' && d) {
        holds.push({
          reservationId: Number(d.reservationId),
          holdExpiresAt: Date.parse(String(d.holdExpiresAt)),
        });
      }
      return v?.outcome?.code;
    };
    const first = take(await reserve(u, u.plan.first, admission, 0));
    if (u.plan.retry && (first === 'SEATS_TAKEN' || first === 'NOT_ENOUGH_SEATS')) {
      take(await reserve(u, u.plan.retry, admission, 1));
    }
    if (u.plan.extra && holds.length > 0) {
      // More seats from a second tab while the first hold is live: the admission allows one live reservation
      // (ADR 015), so the page is told RESERVATION_ALREADY_LIVE (pay for or cancel the hold first). Accepted,
      // it would be a second live reservation under one admission: a real error.
      const extra = await reserve(u, u.plan.extra, admission, 2, {
        label: 'extra',
        code: 'RESERVATION_ALREADY_LIVE',
      });
      if (extra) bump(failures, 'extra: accepted beside a live reservation');
      take(extra);
    }
    await Promise.all(holds.map((h, i) => act(u, h, u.plan.actions[i] ?? 'none')));
  } catch (err) {
    bump(failures, `user: ${networkCodeOf(err)}`);
  } finally {
    counters.done++;
    u.socket?.disconnect();
  }
}

async function setUp(u: User): Promise<void> {
  const socket = new LeanSocket(wrUrl, u.token);
  u.socket = socket;
  socket.on('request:update', (v) => onUpdate(u, v));
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') disconnects++;
  });
  await connected(socket, 60_000);
  counters.connected++;
}

function report(): SeatsReport {
  return {
    p,
    progress: { ...counters },
    latencies,
    payLatencies,
    timeline,
    payTimeline,
    expectations,
    undelivered,
    answers,
    failures,
    disconnects,
    loopDelayP99Ms: loopDelayP99Ms(),
  };
}

let started = false;
const publishProgress = await client.serve({
  counters,
  report,
  onCommand: (msg) => {
    const go = /^go (\d+)$/.exec(msg);
    if (go && !started) {
      started = true;
      for (const u of users) void runUser(u, Number(go[1]));
    }
  },
  onStop: () => {
    for (const u of users) u.socket?.disconnect();
    agent.destroy();
  },
  listening: `seats clients listening: ${users.length} users`,
});

await forEachConcurrently(users, 100, (u) =>
  setUp(u).catch((err: unknown) => {
    counters.setupFailed++;
    bump(failures, `setup: ${networkCodeOf(err)}`);
  }),
);
publishProgress();
