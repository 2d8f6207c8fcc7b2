import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  captureRunContext,
  describeFailure,
  failureDetails,
  formatRunContext,
  withTopology,
  type RunContext,
} from './bench/run-context.js';
import { loadConfig } from '../core/config.js';
import { loadEnvFile } from '../core/env-file.js';
import { servicePaths } from './services/paths.js';
import { clusterNodesValue, DEFAULT_CLUSTER_NODES, ensureRedisCluster } from './services/redis-cluster.js';
import { benchObservability, setBenchObservability } from './bench/bench-env.js';

/**
 * `npm run bench -- --scenario <name> [--json] [options]`. Each scenario prepares its own database and
 * Redis prefix, starts the processes it measures, drives them on loopback, runs its baseline in the
 * same invocation, prints a summary with the run's context (scripts/bench/run-context.ts), and removes
 * everything it made. With --json the last line of output is one JSON object, also when the run fails
 * (then with `error`). A failure is one line on stderr, the whole error in a file it names; exit 1.
 * With --redis-cluster every process of the run (and its cleanup) uses a Redis Cluster: the one in
 * REDIS_CLUSTER_NODES, else a 3-master one on loopback ports 7001-7003, started when missing (ADR 023).
 */
// An older node runs the scripts but not the processes they start: node 20's listen has no reusePort
// (ADR 029), and every app would fail with EADDRINUSE.
const MIN_NODE_MAJOR = 24;
if (Number(process.versions.node.split('.')[0]) < MIN_NODE_MAJOR) {
  console.error(
    `bench: Node ${process.version} is older than Rushline runs on (${MIN_NODE_MAJOR} or newer, package.json ` +
      'engines): put Node 26 first on PATH (bash scripts/up.sh fetches it into ~/.cache/rushline/)',
  );
  process.exit(1);
}

const SCENARIOS = [
  'join',
  'submit',
  'open',
  'push',
  'hot',
  'rush',
  'seats',
  'catalog',
  'observability',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    json: { type: 'boolean', default: false },
    // No default here: join uses 100, catalog 200 (see run()).
    connections: { type: 'string' },
    // No default here: join and catalog run 10 s, observability 5 s rounds (see run()).
    duration: { type: 'string' },
    requests: { type: 'string', default: '50000' },
    'commit-concurrency': { type: 'string' },
    'commit-batch-max': { type: 'string' },
    sizes: { type: 'string' },
    students: { type: 'string', default: '20000' },
    'client-processes': { type: 'string', default: '2' },
    // No default here: seats arrives at 6,000/min, rush admits at most 600,000/min (see run()).
    rate: { type: 'string' },
    'admission-mode': { type: 'string', default: 'adaptive' },
    'baseline-rate': { type: 'string' },
    'baseline-offer': { type: 'string', default: 'opening' },
    'max-active': { type: 'string' },
    'arrival-s': { type: 'string', default: '1' },
    'time-limit': { type: 'string', default: '600' },
    'waiting-rooms': { type: 'string' },
    'api-processes': { type: 'string', default: '1' },
    'http-sockets': { type: 'string', default: '256' },
    'warm-up': { type: 'string', default: '2000' },
    users: { type: 'string', default: '10000' },
    seats: { type: 'string', default: '5000' },
    'hold-ttl': { type: 'string', default: '20' },
    rounds: { type: 'string' },
    switches: { type: 'string', default: 'both' },
    observability: { type: 'string', default: 'on' },
    'redis-cluster': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function usage(): never {
  console.error(`usage: npm run bench -- --scenario <${SCENARIOS.join('|')}> [--json] [--observability on|off] [--redis-cluster]
  --observability on (default): Rushline's processes write access lines and record metrics, scraped every
        15 s as deployed; off: neither (ACCESS_LOG=false METRICS=false), to measure what they cost
  join: --connections 100 --duration 10     autocannon on POST /rooms/:id/join, 1 and 2 processes, vs a bare endpoint
  submit: --connections 50 --duration 5 --rounds 3 --rate 400    autocannon on POST /api/enrollments (a new student
        each) at N/s, the api's raw submit path against its express route (ADR 028), alternating rounds
  catalog: --connections 200 --duration 10 --rounds 3  autocannon on GET /api/terms/:id/sections (demo catalogue,
        a mix of searches), vs a bare express + mysql2 endpoint sending the same SQL, in alternating rounds
  observability: --connections 50 --duration 5 --rounds 6 [--rate N] [--switches both|access|metrics|none]
        what access lines and metrics cost: the join and an api read against processes with them on (scraped)
        and off, at once, CPU per request by thread; --rate: N requests/s per process instead of as fast as
        they go; --switches: which of the two the "on" side turns on (none: both sides alike, what the
        comparison itself reads as a cost)
  open: --sizes 1000,100000,1000000         opening a pre-queue of N, and reading one position after
  push: --sizes 1000,5000,20000             N socket.io clients watching a room: each tick to one tick group vs one message each
        (by default a size that does not fit \`ulimit -n\` becomes the largest that does)
  hot:  --requests 50000                    one hot section, N requests queued at once, vs one transaction per job
        [--commit-concurrency N --commit-batch-max N]  worker settings to try
  rush: --students 20000 --client-processes 2 --rate 600000 (the room's maximum, admitted/min)
        --admission-mode adaptive|fixed (adaptive: the pace follows the commits up to --rate; ADR 012)
        [--max-active N] --time-limit 600 (s) --http-sockets 256 (each client process's connections to the api)
        --warm-up 2000 (carts through the api and workers before the opening, and to the baseline before it)
        [--baseline-offer opening|admitted (default opening) --arrival-s 1 | --baseline-rate N (req/s)]
        [--waiting-rooms N] [--api-processes 1] [--commit-concurrency N --commit-batch-max N]
        course registration through the whole path (pre-queue, draw, admission, sockets, api, 2 workers),
        then the same carts against one FOR UPDATE transaction per HTTP request, offered as without a
        waiting room (everyone at the opening, over --arrival-s) or at Rushline's submit moments (admitted)`);
  process.exit(2);
}

function admissionMode(v: string | undefined): 'adaptive' | 'fixed' {
  if (v === 'adaptive' || v === 'fixed') return v;
  throw new Error('--admission-mode must be adaptive or fixed');
}

function observabilityMode(v: string | undefined): 'on' | 'off' {
  if (v === 'on' || v === 'off') return v;
  throw new Error('--observability must be on or off');
}

function baselineOffer(v: string | undefined): 'opening' | 'admitted' {
  if (v === 'opening' || v === 'admitted') return v;
  throw new Error('--baseline-offer must be opening or admitted');
}

function switchesOption(v: string | undefined): 'both' | 'access' | 'metrics' | 'none' {
  if (v === 'both' || v === 'access' || v === 'metrics' || v === 'none') return v;
  throw new Error('--switches must be both, access, metrics or none');
}

async function run(scenario: Scenario): Promise<Record<string, unknown>> {
  const int = (v: string | undefined, name: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  switch (scenario) {
    case 'join': {
      const { runJoin } = await import('./bench/join-scenario.js');
      return runJoin({
        connections: int(values.connections ?? '100', 'connections'),
        durationS: int(values.duration ?? '10', 'duration'),
      });
    }
    case 'submit': {
      const { runSubmit } = await import('./bench/submit-scenario.js');
      return runSubmit({
        connections: int(values.connections ?? '50', 'connections'),
        durationS: int(values.duration ?? '5', 'duration'),
        rounds: int(values.rounds ?? '3', 'rounds'),
        ratePerS: int(values.rate ?? '400', 'rate'),
      });
    }
    case 'catalog': {
      const { runCatalog } = await import('./bench/catalog-scenario.js');
      return runCatalog({
        connections: int(values.connections ?? '200', 'connections'),
        durationS: int(values.duration ?? '10', 'duration'),
        rounds: int(values.rounds ?? '3', 'rounds'),
      });
    }
    case 'observability': {
      const { runObservability } = await import('./bench/observability-scenario.js');
      return runObservability({
        connections: int(values.connections ?? '50', 'connections'),
        durationS: int(values.duration ?? '5', 'duration'),
        rounds: int(values.rounds ?? '6', 'rounds'),
        ratePerS: values.rate === undefined ? undefined : int(values.rate, 'rate'),
        switches: switchesOption(values.switches),
      });
    }
    case 'open': {
      const { runOpen } = await import('./bench/open-scenario.js');
      return runOpen({
        sizes: (values.sizes ?? '1000,100000,1000000').split(',').map((s) => int(s, 'sizes')),
      });
    }
    case 'push': {
      const { runPush } = await import('./bench/push-scenario.js');
      return runPush({ sizes: values.sizes?.split(',').map((s) => int(s, 'sizes')) });
    }
    case 'hot': {
      const { runHot } = await import('./bench/hot-scenario.js');
      const workerEnv: Record<string, string> = {};
      if (values['commit-concurrency'])
        workerEnv.COMMIT_CONCURRENCY = String(int(values['commit-concurrency'], 'commit-concurrency'));
      if (values['commit-batch-max'])
        workerEnv.COMMIT_BATCH_MAX = String(int(values['commit-batch-max'], 'commit-batch-max'));
      return runHot({ requests: int(values.requests, 'requests'), workerEnv });
    }
    case 'seats': {
      const { runSeats } = await import('./bench/seats-scenario.js');
      return runSeats({
        users: int(values.users, 'users'),
        seats: int(values.seats, 'seats'),
        clientProcesses: int(values['client-processes'], 'client-processes'),
        holdTtlS: int(values['hold-ttl'], 'hold-ttl'),
        arrivalPerS: int(values.rate ?? '6000', 'rate') / 60,
        timeLimitS: int(values['time-limit'], 'time-limit'),
      });
    }
    case 'rush': {
      const { runRush } = await import('./bench/rush-scenario.js');
      const workerEnv: Record<string, string> = {};
      if (values['commit-concurrency'])
        workerEnv.COMMIT_CONCURRENCY = String(int(values['commit-concurrency'], 'commit-concurrency'));
      if (values['commit-batch-max'])
        workerEnv.COMMIT_BATCH_MAX = String(int(values['commit-batch-max'], 'commit-batch-max'));
      return runRush({
        students: int(values.students, 'students'),
        clientProcesses: int(values['client-processes'], 'client-processes'),
        ratePerMin: int(values.rate ?? '600000', 'rate'),
        admissionMode: admissionMode(values['admission-mode']),
        maxActive: values['max-active'] ? int(values['max-active'], 'max-active') : undefined,
        baselineRate: values['baseline-rate'] ? int(values['baseline-rate'], 'baseline-rate') : undefined,
        baselineOffer: baselineOffer(values['baseline-offer']),
        arrivalS: int(values['arrival-s'], 'arrival-s'),
        waitingRooms: values['waiting-rooms'] ? int(values['waiting-rooms'], 'waiting-rooms') : undefined,
        apiProcesses: int(values['api-processes'], 'api-processes'),
        httpSockets: int(values['http-sockets'], 'http-sockets'),
        warmUp: int(values['warm-up'], 'warm-up'),
        workerEnv,
        timeLimitS: int(values['time-limit'], 'time-limit'),
      });
    }
  }
}

/**
 * Starts (or finds) the cluster and points this process at it; the scenario's processes inherit the
 * variable, and its teardown scans every master. Returns the seed nodes, for the figures.
 */
async function useRedisCluster(): Promise<string> {
  loadEnvFile();
  const cfg = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const nodes = cfg.redis.clusterNodes ?? DEFAULT_CLUSTER_NODES;
  await ensureRedisCluster({
    nodes,
    redisUrl: cfg.redis.url,
    paths: servicePaths(),
    log: (line) => console.error(line),
    waitMs: 60_000,
  });
  process.env.REDIS_CLUSTER_NODES = clusterNodesValue(nodes);
  return process.env.REDIS_CLUSTER_NODES;
}

const printLines = (lines: string[]) => {
  if (!values.json) console.log(['', ...lines].join('\n'));
};

async function main(): Promise<void> {
  if (values.help || !values.scenario) usage();
  if (!(SCENARIOS as readonly string[]).includes(values.scenario)) usage();
  const scenario = values.scenario as Scenario;
  setBenchObservability(observabilityMode(values.observability));
  const cluster = values['redis-cluster'] ? await useRedisCluster() : null;
  let context: RunContext = await captureRunContext();
  const started = Date.now();
  try {
    const measured = withTopology(context, await run(scenario));
    context = measured.context;
    const figures = {
      ...measured.result,
      observability: benchObservability(),
      ...(cluster ? { redis_cluster: cluster } : {}),
      wall_s: Math.round((Date.now() - started) / 1000),
    };
    printLines([
      ...Object.entries(figures).map(
        ([k, v]) => `${k.padEnd(34)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
      ),
      '',
      'context (what these figures depend on)',
      ...formatRunContext(context),
    ]);
    console.log(JSON.stringify({ ...figures, context }));
  } catch (err: unknown) {
    // One line: what failed and why. The whole error (child processes' logs, stacks) goes to a file.
    const line = describeFailure(err);
    const error = line.startsWith(`${scenario}`) ? line : `${scenario}: ${line}`;
    const file = path.join(os.tmpdir(), `rushline-bench-${scenario}-${Date.now()}.log`);
    const saved = await writeFile(file, `${failureDetails(err)}\n`).then(
      () => true,
      () => false,
    );
    console.error(`bench: ${error}${saved ? ` (details: ${file})` : ''}`);
    printLines(['context', ...formatRunContext(context)]);
    if (values.json) console.log(JSON.stringify({ scenario, error, details: saved ? file : null, context }));
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  // Only the context itself can land here (e.g. a malformed .env): still one line.
  console.error(`bench: ${describeFailure(err)}`);
  process.exit(1);
});
