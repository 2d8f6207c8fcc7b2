import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { COMMIT_JOB_OPTIONS, CommitQueues } from '../../core/queues.js';
import { createLogger } from '../../core/logger.js';
import { SEAT_CLAIM_PATHS, type SeatClaimPath } from '../../core/metrics/commit-metrics.js';
import { RequestSubmitter } from '../../api/src/requests/request-submitter.js';
import { startProcess } from '../lib/app-process.js';
import { checkInvariants } from '../verify.js';
import { innodbLocks } from './innodb-locks.js';
import { sampleSum } from './server-latency.js';
import { createBenchEnv, progress, round, type BenchEnv } from './bench-env.js';

/** A term with one open window and a registration room per section, so each section has its own queue. */
async function hotWorld(db: Knex, capacity: number): Promise<{ rooms: number[]; sections: number[] }> {
  const [termId] = await db('terms').insert({
    code: 'HOT',
    name: 'Hot',
    starts_on: '2027-03-01',
    ends_on: '2027-06-30',
  });
  const [majorId] = await db('majors').insert({ code: 'HOT', name: 'Hot' });
  const [professorId] = await db('professors').insert({ name: 'Prof Hot', major_id: majorId });
  const [windowId] = await db('registration_windows').insert({
    term_id: termId,
    name: 'Everyone',
    grades: JSON.stringify([1, 2, 3, 4]),
    opens_at: new Date(Date.now() - 3_600_000),
    closes_at: new Date(Date.now() + 3_600_000),
  });
  const rooms: number[] = [];
  const sections: number[] = [];
  for (const label of ['rushline', 'baseline']) {
    const [courseId] = await db('courses').insert({
      code: `HOT-${label.slice(0, 4)}`,
      title: `Hot ${label}`,
      credits: 3,
      major_id: majorId,
      professor_id: professorId,
    });
    const [sectionId] = await db('sections').insert({
      term_id: termId,
      course_id: courseId,
      section_number: 1,
      capacity,
    });
    await db('section_meetings').insert({
      section_id: sectionId,
      day_of_week: 1,
      starts_at: '09:00',
      ends_at: '10:15',
      room: 'HALL',
    });
    const [roomId] = await db('waiting_rooms').insert({
      slug: `hot-${label}`,
      name: `Hot ${label}`,
      kind: 'registration',
      registration_window_id: windowId,
      admission_rate_per_min: 1,
      max_active: 1,
      prequeue_opens_at: new Date(Date.now() - 3_600_000),
      opens_at: new Date(Date.now() - 60_000),
    });
    rooms.push(roomId!);
    sections.push(sectionId!);
  }
  return { rooms, sections };
}

/** Inserts `n` students of their own (usernames `<tag><i>`); returns their ids in order. */
async function createStudents(env: BenchEnv, n: number, tag: string): Promise<number[]> {
  const users = Array.from({ length: n }, (_, i) => ({
    username: `${tag}${i}`,
    password_hash: 'x',
    role: 'student',
    display_name: `${tag} ${i}`,
    grade: 2,
  }));
  for (let i = 0; i < n; i += 2_000) await env.db('users').insert(users.slice(i, i + 2_000));
  return env.db('users').where('username', 'like', `${tag}%`).orderBy('id').pluck<number[]>('id');
}

/**
 * Rushline's side: `n` requests for one section submitted at once through the api's RequestSubmitter,
 * which records them and groups them into commit jobs as it does under a rush.
 */
async function submitRequests(
  env: BenchEnv,
  queues: CommitQueues,
  roomId: number,
  sectionId: number,
  n: number,
): Promise<void> {
  const users = await createStudents(env, n, 'r');
  const bar = progress(`submitting ${n.toLocaleString('en')} requests`, n);
  const submitter = new RequestSubmitter(env.db, queues, createLogger(env.cfg, 'hot-bench'));
  let done = 0;
  await Promise.all(
    users.map(async (userId, i) => {
      await submitter.submit({
        userId,
        kind: 'enrollment',
        roomId,
        queueNumber: i + 1,
        idempotencyKey: `hot-r-${i}`,
        payload: { sectionIds: [sectionId] },
      });
      if (++done % 1_000 === 0) bar.tick(done);
    }),
  );
  bar.end();
}

/** The baseline's side: `n` request rows and one BullMQ job per request, the plain design. */
async function queuePerRequest(
  env: BenchEnv,
  queues: CommitQueues,
  roomId: number,
  sectionId: number,
  n: number,
): Promise<void> {
  const ids = await createStudents(env, n, 'b');
  const bar = progress(`queueing ${n.toLocaleString('en')} requests (baseline)`, n * 2);
  const payload = JSON.stringify({ sectionIds: [sectionId] });
  for (let i = 0; i < n; i += 2_000) {
    await env.db('requests').insert(
      ids.slice(i, i + 2_000).map((userId, k) => ({
        user_id: userId,
        room_id: roomId,
        idempotency_key: `hot-b-${i + k}`,
        kind: 'enrollment',
        payload,
        queue_number: i + k + 1,
        commit_job_id: `hot-b-${i + k}`,
      })),
    );
    bar.tick(i);
  }
  const rows = await env
    .db('requests')
    .where({ room_id: roomId })
    .orderBy('id')
    .select<{ id: number; commit_job_id: string }[]>('id', 'commit_job_id');
  for (let i = 0; i < rows.length; i += 1_000) {
    await queues.queue(roomId).addBulk(
      rows.slice(i, i + 1_000).map((r) => ({
        name: 'commit',
        data: { requestIds: [r.id] },
        opts: { ...COMMIT_JOB_OPTIONS, jobId: r.commit_job_id },
      })),
    );
    bar.tick(n + i);
  }
  bar.end();
}

/** Waits until no request of the room is queued; returns the seconds it took and p99 queue → commit. */
async function drain(
  db: Knex,
  roomId: number,
  n: number,
  label: string,
): Promise<{ seconds: number; p99Ms: number }> {
  const started = Date.now();
  const bar = progress(label, n);
  for (;;) {
    const [row] = await db('requests')
      .where({ room_id: roomId, status: 'queued' })
      .count<{ c: number }[]>('* as c');
    const left = Number(row?.c);
    bar.tick(n - left);
    if (left === 0) break;
    if (Date.now() - started > 600_000) throw new Error(`${label}: not drained after 10 minutes`);
    await sleep(50);
  }
  bar.end();
  const seconds = (Date.now() - started) / 1000;
  const [p99] = (await db.raw(
    `SELECT TIMESTAMPDIFF(MICROSECOND, created_at, completed_at) / 1000 AS ms FROM requests
     WHERE room_id = ? ORDER BY ms LIMIT 1 OFFSET ?`,
    [roomId, Math.floor(n * 0.99)],
  )) as [{ ms: number }[]];
  return { seconds, p99Ms: Number(p99[0]?.ms ?? 0) };
}

/** The worker's enrollment batches by how they took their seats (ADR 030), from its /metrics. */
async function seatClaimsOf(url: string): Promise<Record<SeatClaimPath, number>> {
  const page = await (await fetch(`${url}/metrics`)).text();
  return Object.fromEntries(
    SEAT_CLAIM_PATHS.map((path) => [
      path,
      sampleSum(page, 'rushline_enrollment_seat_claims_total', { path }),
    ]),
  ) as Record<SeatClaimPath, number>;
}

/**
 * `hot`: one section with more seats than requests, N requests submitted at once (recorded and grouped
 * into jobs by the api's submitter), Rushline's worker committing; then the baseline, a plain BullMQ worker doing one FOR UPDATE transaction per request,
 * on its own section and queue. The baseline gets a fifth of the requests: it is that much slower.
 */
export async function runHot(o: {
  requests: number;
  workerEnv?: Record<string, string>;
}): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('hot');
  const queues = new CommitQueues(env.redis, env.cfg.redis.prefix);
  try {
    const baselineN = Math.max(1_000, Math.floor(o.requests / 5));
    const { rooms, sections } = await hotWorld(env.db, o.requests + baselineN);
    const [rushRoom, baseRoom] = rooms as [number, number];
    const [rushSection, baseSection] = sections as [number, number];
    await submitRequests(env, queues, rushRoom, rushSection, o.requests);
    const worker = await env.start('worker', o.workerEnv);
    const locksBefore = await innodbLocks(env.db);
    const rush = await drain(env.db, rushRoom, o.requests, 'Rushline worker committing');
    const locksAfter = await innodbLocks(env.db);
    const health = (await (await fetch(`${worker.url}/healthz`)).json()) as {
      commit: { batches: number; batchedItems: number; batchBusyMs: number };
    };
    const seatClaims = await seatClaimsOf(worker.url);
    await worker.stop();

    // Only now: Rushline's worker serves every room's queue and would take the baseline's too.
    await queuePerRequest(env, queues, baseRoom, baseSection, baselineN);
    const baselineWorker = await startProcess(
      'baseline-hot',
      path.join(import.meta.dirname, 'baseline-hot-worker.ts'),
      {
        ...env.env,
        BASELINE_ROOM_ID: String(baseRoom),
      },
    );
    const base = await drain(env.db, baseRoom, baselineN, 'baseline worker committing');
    await baselineWorker.stop();

    const invariants = await checkInvariants(env.db);
    const perS = o.requests / rush.seconds;
    const basePerS = baselineN / base.seconds;
    return {
      scenario: 'hot',
      topology: { processes: { worker: 1, 'baseline-hot': 1 } },
      requests: o.requests,
      baseline_requests: baselineN,
      commits_per_s: round(perS),
      baseline_commits_per_s: round(basePerS),
      ratio: round(perS / basePerS, 2),
      drain_s: round(rush.seconds, 2),
      p99_queue_to_commit_ms: round(rush.p99Ms),
      baseline_p99_queue_to_commit_ms: round(base.p99Ms),
      batches: health.commit.batches,
      mean_batch: round(health.commit.batchedItems / Math.max(1, health.commit.batches)),
      mean_batch_ms: round(health.commit.batchBusyMs / Math.max(1, health.commit.batches)),
      seat_claims: seatClaims,
      row_lock_waits: locksAfter.waits - locksBefore.waits,
      row_lock_wait_ms: locksAfter.waitMs - locksBefore.waitMs,
      ...invariants,
    };
  } finally {
    await queues.close();
    await env.teardown();
  }
}
