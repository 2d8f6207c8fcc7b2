/**
 * The rush's warm-up (issue 12): before the opening, warm-up students of a room of their own submit carts
 * of their own sections through the same api and workers, and the same number of carts go to the
 * baseline's server before its run. An api deployed before a registration day has its submit path
 * compiled and its pools open when the rush starts; without this the first seconds measured V8's
 * interpreter (the api spent 1.2–2 ms of CPU a submission there against 0.3 ms later in the same run).
 */
import type { Knex } from 'knex';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import { signAccessToken } from '../../core/auth/access-token.js';
import { redisKeys } from '../../core/redis-keys.js';
import type { BenchEnv } from './bench-env.js';
import { errorCodeOf, networkCodeOf, postJson } from './bench-http.js';
import { insertInChunks } from '../seed/bulk-insert.js';
import type { RunGuard } from './run-guard.js';
import { insertOneSectionCourses, insertRegistrationRoom } from './rush-world.js';

/** One section per slot of the rush's timetable (5 days × 5 periods): any 5 consecutive never clash. */
const WARM_SECTIONS = 25;
const CART = 5;
/** Submissions in flight at once: enough for the api to write groups and the workers to batch them. */
const IN_FLIGHT = 64;

export interface WarmUp {
  roomId: number;
  sectionIds: number[];
  /** Students for Rushline's warm-up and, as many, for the baseline's: each submits once. */
  rushUsers: number[];
  baselineUsers: number[];
}

/**
 * A term of its own (sections nobody else takes, seats for everyone), its window and its room (fixed
 * mode, never opened: the scenario records admissions itself, as `submit` does), and 2 × `n` students.
 */
export async function buildWarmUp(db: Knex, n: number): Promise<WarmUp> {
  const now = Date.now();
  const [termId] = await db('terms').insert({
    code: 'RUSH-WARM',
    name: 'Rush warm-up',
    starts_on: '2027-03-01',
    ends_on: '2027-06-30',
  });
  const [sectionIds] = (await insertOneSectionCourses(db, {
    code: 'RUSH-WARM',
    name: 'Rush warm-up',
    count: WARM_SECTIONS,
    capacity: 1_000_000,
    termIds: [termId!],
    course: (i) => ({ code: `WARM${String(i).padStart(2, '0')}`, title: `Warm-up ${i}` }),
  })) as [number[]];
  await insertInChunks(
    db,
    'section_meetings',
    sectionIds.map((id, slot) => ({
      section_id: id,
      day_of_week: 1 + Math.floor(slot / 5),
      starts_at: `${String(8 + (slot % 5) * 2).padStart(2, '0')}:00`,
      ends_at: `${String(9 + (slot % 5) * 2).padStart(2, '0')}:15`,
      room: `WARM ${slot}`,
    })),
  );
  // Never opened: the scenario records its admissions itself, as `submit` does.
  const roomId = await insertRegistrationRoom(db, termId!, {
    slug: 'rush-warm-up',
    name: 'Rush warm-up',
    ratePerMin: 1,
    admissionMode: 'fixed',
    maxActive: 1,
    prequeueOpensAt: new Date(now + 86_400_000),
    opensAt: new Date(now + 2 * 86_400_000),
  });
  await insertInChunks(
    db,
    'users',
    Array.from({ length: 2 * n }, (_, i) => ({
      username: `rush-warm${i}`,
      password_hash: 'x',
      role: 'student',
      display_name: `Warm-up ${i}`,
      grade: 1 + (i % 4),
      credit_limit: 18,
    })),
  );
  const users = await db('users').where('username', 'like', 'rush-warm%').orderBy('id').pluck<number[]>('id');
  return { roomId, sectionIds, rushUsers: users.slice(0, n), baselineUsers: users.slice(n) };
}

const cartOf = (w: WarmUp, i: number) =>
  Array.from({ length: CART }, (_, k) => w.sectionIds[(i * CART + k) % WARM_SECTIONS]!);

/** Sends `count` POSTs, `IN_FLIGHT` at a time; throws on the first answer that is not `expected`. */
async function sendAll(
  count: number,
  expected: number,
  send: (i: number, agent: Agent) => Promise<{ status: number; body: unknown }>,
  guard: RunGuard,
  what: string,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      guard.check(what);
      const res = await send(i, agent).catch((err: unknown) => {
        throw new Error(`${what}: ${networkCodeOf(err)}`);
      });
      if (res.status !== expected)
        throw new Error(`${what}: HTTP ${res.status} ${errorCodeOf(res.body) ?? JSON.stringify(res.body)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, lane));
  } finally {
    agent.destroy();
  }
}

/**
 * Rushline's warm-up: each warm-up student's admission signed and recorded as the waiting room records
 * one, its cart submitted to the api (spread over `apiUrls`), and every request decided by the workers
 * before it returns. Seconds it took.
 */
export async function warmUpRushline(
  env: BenchEnv,
  w: WarmUp,
  apiUrls: string[],
  guard: RunGuard,
): Promise<number> {
  const started = Date.now();
  const signed = w.rushUsers.map((userId, i) => ({
    userId,
    authorization: `Bearer ${signAccessToken(env.cfg.auth, { id: userId, username: `rush-warm${i}`, role: 'student' }).token}`,
    admission: signAdmissionToken(env.cfg.admission, { userId, roomId: w.roomId, queueNumber: i + 1 }).token,
  }));
  if (signed.length > 0)
    await env.redis.hset(
      redisKeys(env.cfg.redis.prefix).room(w.roomId, 'tokens'),
      ...signed.flatMap((s) => [String(s.userId), s.admission]),
    );
  await sendAll(
    signed.length,
    202,
    (i, agent) => {
      const s = signed[i]!;
      return postJson(
        agent,
        `${apiUrls[i % apiUrls.length]!}/api/enrollments`,
        {
          authorization: s.authorization,
          'x-admission-token': s.admission,
          'idempotency-key': `rush-warm-${s.userId}`,
        },
        { sectionIds: cartOf(w, i) },
        30_000,
      );
    },
    guard,
    'rush: warm-up submit',
  );
  for (;;) {
    const [row] = await env
      .db('requests')
      .where({ room_id: w.roomId, status: 'queued' })
      .count<{ n: number }[]>('* as n');
    if (Number(row?.n ?? 0) === 0) break;
    guard.check('rush: warm-up commits');
    await sleep(100);
  }
  return (Date.now() - started) / 1_000;
}

/** The baseline's warm-up: the same number of carts, of the warm-up sections, to its server. Seconds. */
export async function warmUpBaseline(url: string, w: WarmUp, guard: RunGuard): Promise<number> {
  const started = Date.now();
  await sendAll(
    w.baselineUsers.length,
    200,
    (i, agent) =>
      postJson(agent, `${url}/enroll`, {}, { userId: w.baselineUsers[i]!, sectionIds: cartOf(w, i) }, 30_000),
    guard,
    'rush: baseline warm-up',
  );
  return (Date.now() - started) / 1_000;
}
