import autocannon from 'autocannon';
import type { AppProcess } from '../lib/app-process.js';
import {
  createBenchEnv,
  insertOpenRoom,
  progress,
  round,
  signStudentTokens,
  startScraper,
} from './bench-env.js';
import { processTicksByMode, processTicksByThread, THREAD_KINDS, type ThreadKind } from './cpu-sample.js';
import { median } from './stats.js';

export interface ObservabilityOptions {
  connections: number;
  durationS: number;
  rounds: number;
  /** Requests per second to each process; unset: as fast as it answers (autocannon's closed loop). */
  ratePerS?: number;
  /** What the "on" side turns on. */
  switches: 'both' | 'access' | 'metrics' | 'none';
}

type Mode = 'on' | 'off';
type Target = 'join' | 'api';

interface Round {
  perS: number;
  /** CPU of the driven process per request, in µs (from /proc ticks of 10 ms), and its kernel part. */
  cpuUsPerRequest: number;
  systemUsPerRequest: number;
  /** The same CPU by thread: JavaScript, libuv's pool, V8's helpers, other (where extra cost lands). */
  threadUsPerRequest: Record<ThreadKind, number>;
  p99: number;
  non2xx: number;
  errors: number;
}

const switchesOf = (mode: Mode, o: ObservabilityOptions): Record<string, string> => ({
  ACCESS_LOG: String(mode === 'on' && (o.switches === 'both' || o.switches === 'access')),
  METRICS: String(mode === 'on' && (o.switches === 'both' || o.switches === 'metrics')),
});

/** One autocannon run, every request a different user with their own access token. */
async function drive(
  p: AppProcess,
  target: Target,
  roomId: number,
  tokens: { list: string[]; next: number },
  o: ObservabilityOptions,
  label: string | undefined,
): Promise<Round> {
  const request =
    target === 'join'
      ? {
          method: 'POST' as const,
          path: `/rooms/${roomId}/join`,
          body: '{"clientRequestId":"bench-obs-000001"}',
        }
      : { method: 'GET' as const, path: '/api/me/notifications/unread' };
  // Two drives run at once: only the first draws its bar.
  const bar = label ? progress(label, o.durationS) : undefined;
  const started = Date.now();
  const timer = setInterval(() => bar?.tick((Date.now() - started) / 1000), 250);
  const before = processTicksByMode(p.proc.pid);
  const threads = processTicksByThread(p.proc.pid);
  const result = await autocannon({
    url: p.url,
    connections: o.connections,
    duration: o.durationS,
    ...(o.ratePerS ? { overallRate: o.ratePerS } : {}),
    requests: [
      {
        ...request,
        setupRequest: (req) => ({
          ...req,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${tokens.list[tokens.next++ % tokens.list.length]}`,
          },
        }),
      },
    ],
  });
  // autocannon stops at the deadline while the server finishes what is in flight.
  await new Promise((r) => setTimeout(r, 300));
  const after = processTicksByMode(p.proc.pid);
  const threadsAfter = processTicksByThread(p.proc.pid);
  const perRequest = (ticks: number) => (ticks * 10_000) / Math.max(1, result.requests.total);
  clearInterval(timer);
  bar?.end();
  return {
    perS: result.requests.total / result.duration,
    cpuUsPerRequest: perRequest(after.user + after.system - before.user - before.system),
    systemUsPerRequest: perRequest(after.system - before.system),
    threadUsPerRequest: Object.fromEntries(
      THREAD_KINDS.map((k) => [k, perRequest(threadsAfter[k] - threads[k])]),
    ) as Record<ThreadKind, number>,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * `observability`: what access lines and metrics cost (issue 14). Two waiting rooms and two apis run side
 * by side, one pair with both on (and scraped every 15 s, as deployed) and one with both off. Each round
 * drives the on and the off process at the same time with the same load (--connections each):
 * the waiting room's join (the rush's busiest route, every join a new person), then an authenticated api
 * read. The figure is each process's CPU per request, on against off, round by round (whatever else the
 * machine does weighs on both alike), and the median of those ratios.
 */
export async function runObservability(o: ObservabilityOptions): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('observability', { observability: 'off' });
  try {
    const roomId = await insertOpenRoom(env.db, 'bench-observability');
    // Enough people that no join repeats one (a repeat is a cheaper read, not a join).
    const perMode = 15_000 * o.durationS * o.rounds;
    const tokenPools: Record<Mode, { list: string[]; next: number }> = {
      on: { list: signStudentTokens(env.cfg, 2_000_000, perMode, 'signing tokens (on)'), next: 0 },
      off: {
        list: signStudentTokens(env.cfg, 2_000_000 + perMode, perMode, 'signing tokens (off)'),
        next: 0,
      },
    };

    const apps = {} as Record<Mode, Record<Target, AppProcess>>;
    // Off first: its waiting room takes the admission lease, so the leader's ticks weigh on off, not on.
    for (const mode of ['off', 'on'] as const) {
      apps[mode] = {
        join: await env.start('waiting-room', { ...switchesOf(mode, o), ADMISSION_TICK_MS: '1000' }),
        api: await env.start('api', switchesOf(mode, o)),
      };
    }
    // Nothing to scrape when the on side records no metrics.
    const stopScraper =
      o.switches === 'access' || o.switches === 'none'
        ? () => {}
        : startScraper(() => [apps.on.join.url, apps.on.api.url]);
    const rounds: Record<Target, Record<Mode, Round[]>> = {
      join: { on: [], off: [] },
      api: { on: [], off: [] },
    };
    try {
      for (let r = 0; r < o.rounds; r++) {
        for (const target of ['join', 'api'] as const) {
          // Both at once, so whatever else the machine does in these seconds weighs on both alike. The side
          // whose load generator starts first is measured a few per cent dearer (5–9 % with both sides off),
          // so the sides take turns starting first and the bias cancels in the median.
          const order: Mode[] = r % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
          const measured = await Promise.all(
            order.map((mode) =>
              drive(
                apps[mode][target],
                target,
                roomId,
                tokenPools[mode],
                o,
                mode === 'on' ? `${target} ${r + 1}/${o.rounds}, on and off at once` : undefined,
              ),
            ),
          );
          const of = (mode: Mode) => measured[order.indexOf(mode)] as Round;
          rounds[target].on.push(of('on'));
          rounds[target].off.push(of('off'));
        }
      }
    } finally {
      stopScraper();
    }

    const summary = (target: Target) => {
      const on = rounds[target].on;
      const off = rounds[target].off;
      const cpuRatios = on.map((x, i) => x.cpuUsPerRequest / (off[i] as Round).cpuUsPerRequest);
      const rateRatios = on.map((x, i) => x.perS / (off[i] as Round).perS);
      return {
        per_s: { on: round(median(on.map((x) => x.perS))), off: round(median(off.map((x) => x.perS))) },
        cpu_us_per_request: {
          on: round(median(on.map((x) => x.cpuUsPerRequest))),
          off: round(median(off.map((x) => x.cpuUsPerRequest))),
        },
        system_us_per_request: {
          on: round(median(on.map((x) => x.systemUsPerRequest))),
          off: round(median(off.map((x) => x.systemUsPerRequest))),
        },
        thread_us_per_request: Object.fromEntries(
          THREAD_KINDS.map((k) => [
            k,
            {
              on: round(median(on.map((x) => x.threadUsPerRequest[k]))),
              off: round(median(off.map((x) => x.threadUsPerRequest[k]))),
            },
          ]),
        ),
        p99_ms: { on: median(on.map((x) => x.p99)), off: median(off.map((x) => x.p99)) },
        // On against off within each round, then the median: >1 means on costs more.
        cpu_ratio: round(median(cpuRatios), 3),
        cpu_ratio_by_round: cpuRatios.map((x) => round(x, 3)),
        throughput_ratio: round(median(rateRatios), 3),
        non_2xx: [...on, ...off].reduce((n, x) => n + x.non2xx, 0),
        errors: [...on, ...off].reduce((n, x) => n + x.errors, 0),
      };
    };
    return {
      scenario: 'observability',
      topology: {
        processes: { 'waiting-room': 2, api: 2 },
        clients_per_process: { 'autocannon connections (in the bench process)': [o.connections] },
      },
      connections: o.connections,
      duration_s: o.durationS,
      rounds: o.rounds,
      rate_per_s: o.ratePerS ?? 'closed loop (as fast as answered)',
      switches_on: o.switches,
      join: summary('join'),
      api_read: summary('api'),
    };
  } finally {
    await env.teardown();
  }
}
