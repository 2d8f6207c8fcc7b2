import autocannon from 'autocannon';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import { signAccessToken } from '../../core/auth/access-token.js';
import { redisKeys } from '../../core/redis-keys.js';
import { createBenchEnv, progress, round } from './bench-env.js';
import { processTicks } from './cpu-sample.js';
import { buildWorld } from './rush-world.js';

export interface SubmitOptions {
  connections: number;
  durationS: number;
  rounds: number;
  /** Submissions per second offered to each api process (autocannon's overall rate). */
  ratePerS: number;
}

interface Signed {
  authorization: string;
  admission: string;
  body: string;
}

interface Round {
  total: number;
  perS: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuTicks: number;
}

/** One round against one api process: every submission a different student (their own admission and cart). */
async function drive(
  url: string,
  pid: number,
  signed: Signed[],
  from: { next: number },
  o: SubmitOptions,
  label: string,
): Promise<Round> {
  const bar = progress(label, o.durationS);
  const started = Date.now();
  const timer = setInterval(() => bar.tick((Date.now() - started) / 1000), 250);
  const cpuBefore = processTicks(pid);
  const result = await autocannon({
    url,
    connections: o.connections,
    duration: o.durationS,
    overallRate: o.ratePerS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const n = from.next++;
          const s = signed[n % signed.length] as Signed;
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              authorization: s.authorization,
              'x-admission-token': s.admission,
              'idempotency-key': `bench-submit-${n}`,
            },
            body: s.body,
          };
        },
      },
    ],
  });
  // autocannon stops sending at the deadline while the server finishes what is in flight.
  await new Promise((r) => setTimeout(r, 500));
  const cpuTicks = processTicks(pid) - cpuBefore;
  clearInterval(timer);
  bar.end();
  return {
    total: result.requests.total,
    perS: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuTicks,
  };
}

/** Per 1,000 submissions: a jiffy is 10 ms of CPU, so ticks × 10,000 / submissions. */
const cpuPer1k = (rounds: Round[]) =>
  round(
    (rounds.reduce((a, r) => a + r.cpuTicks, 0) * 10_000) /
      Math.max(
        1,
        rounds.reduce((a, r) => a + r.total, 0),
      ),
    1,
  );

const summary = (rounds: Round[]) => ({
  submissions: rounds.reduce((a, r) => a + r.total, 0),
  per_s: rounds.map((r) => round(r.perS)),
  p50_ms: rounds.map((r) => r.p50),
  p99_ms: rounds.map((r) => r.p99),
  cpu_ms_per_1k: cpuPer1k(rounds),
  cpu_ms_per_1k_by_round: rounds.map((r) => cpuPer1k([r])),
});

/**
 * `submit`: the api's submissions (POST /api/enrollments, a cart of five) through its raw submit path
 * against the same through express's routes (SUBMIT_FAST_PATH=false: the baseline), one api process
 * each, in alternating rounds at the same offered rate: what the raw path saves in CPU per submission
 * (ADR 028). Every submission is a different student with an admission signed and recorded for them as
 * the waiting room would; no worker runs, so the api's own work (checks, allowance, grouped INSERT,
 * commit job) is all that is measured. Each process is warmed by 2 s of the same load first, not counted.
 */
export async function runSubmit(o: SubmitOptions): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('submit');
  try {
    // A few more than the rounds can use: a repeated student would be a replay, a cheaper request.
    const needed = Math.ceil(o.ratePerS * (o.durationS * o.rounds + 2) * 2 * 1.2);
    const world = await buildWorld(env.db, needed, { ratePerMin: 1, admissionMode: 'fixed', maxActive: 1 });
    const bar = progress('signing access tokens and admissions', world.students.length);
    const signed: Signed[] = world.students.map((s, i) => {
      if (i % 2_000 === 0) bar.tick(i);
      const access = signAccessToken(env.cfg.auth, {
        id: s.userId,
        username: `rush${i}`,
        role: 'student',
      }).token;
      const admission = signAdmissionToken(env.cfg.admission, {
        userId: s.userId,
        roomId: world.roomId,
        queueNumber: i + 1,
      }).token;
      const sectionIds = s.cart.map((k) => world.rushSections[k] as number);
      return { authorization: `Bearer ${access}`, admission, body: JSON.stringify({ sectionIds }) };
    });
    bar.end();
    // Recorded as the waiting room records each admission it signs, so the api takes the common path
    // (the token found recorded, its signature not checked: ADR 018), as in a rush.
    const tokensKey = redisKeys(env.cfg.redis.prefix).room(world.roomId, 'tokens');
    for (let i = 0; i < signed.length; i += 5_000) {
      const chunk = world.students
        .slice(i, i + 5_000)
        .flatMap((s, j) => [String(s.userId), (signed[i + j] as Signed).admission]);
      await env.redis.hset(tokensKey, ...chunk);
    }

    const raw = await env.start('api');
    const viaExpress = await env.start('api', { SUBMIT_FAST_PATH: 'false' });
    const used = { next: 0 };
    const rawRounds: Round[] = [];
    const expressRounds: Round[] = [];
    const url = (base: string) => `${base}/api/enrollments`;
    // Warm both first (JIT, caches, pools), as an api is warm when a rush starts: these rounds don't count.
    const warm = { ...o, durationS: 2 };
    for (const [which, p] of [
      ['raw', raw],
      ['express', viaExpress],
    ] as const) {
      await drive(url(p.url), p.proc.pid!, signed, used, warm, `${which} path, warm-up`);
    }
    for (let r = 0; r < o.rounds; r++) {
      // Alternating which goes first, so a drift of the machine's load falls on both.
      const order = r % 2 === 0 ? (['raw', 'express'] as const) : (['express', 'raw'] as const);
      for (const which of order) {
        const p = which === 'raw' ? raw : viaExpress;
        const out = await drive(url(p.url), p.proc.pid!, signed, used, o, `${which} path, round ${r + 1}`);
        (which === 'raw' ? rawRounds : expressRounds).push(out);
      }
    }
    await Promise.all([raw.stop(), viaExpress.stop()]);
    const rows = await env.db('requests').count<{ n: number }[]>('* as n');
    const rawCpu = cpuPer1k(rawRounds);
    const expressCpu = cpuPer1k(expressRounds);
    return {
      scenario: 'submit',
      topology: {
        processes: { api: 2 },
        clients_per_process: { 'autocannon connections (in the bench process)': [o.connections] },
      },
      connections: o.connections,
      duration_s: o.durationS,
      rounds: o.rounds,
      offered_per_s: o.ratePerS,
      raw_path: summary(rawRounds),
      express_route: summary(expressRounds),
      // The baseline's CPU per submission over the raw path's: above 1, the raw path is cheaper.
      ratio: round(expressCpu / Math.max(0.1, rawCpu), 2),
      requests_recorded: Number(rows[0]?.n ?? 0),
      non_2xx: [...rawRounds, ...expressRounds].reduce((a, r) => a + r.non2xx, 0),
      errors: [...rawRounds, ...expressRounds].reduce((a, r) => a + r.errors, 0),
    };
  } finally {
    await env.teardown();
  }
}
