import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_RATE_LIMITS, type RateLimitKind, type RateLimitRule } from './http/rate-limit-rules.js';

/** express's `trust proxy` as Rushline allows it (see TRUST_PROXY below). */
export type TrustProxy = false | number | readonly string[];

/**
 * The only place that reads process.env. Every variable is listed in .env.example and the README.
 * Development defaults exist so `bash scripts/up.sh` works on a fresh machine; in production each
 * secret must be set explicitly and must differ from the development value.
 */

// Development-only secrets: published in the repository, so refused when NODE_ENV=production.
const DEV_JWT_SECRET = 'rushline-dev-only-jwt-secret-do-not-use-in-production';
const DEV_ADMISSION_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdcRZtBj3ZFsmJrmh
DlTlsJ3QuwglUgiNJDe6zKV67HOhRANCAAQ9jQmhQgB+X4Ruf5Kzz8sQVOUxZcRo
6PZjfJUWw5gBFOcLR3hkIlSnlpwbyk2dfvHojlqTx4d8yf/Ie6Q9oHzj
-----END PRIVATE KEY-----`;
const DEV_ADMISSION_KEY_ID = 'dev-2026-11';
const DEV_REPLICATION_PASSWORD = 'rushline-repl-dev-only';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const mysqlUrl = z
  .string()
  .url()
  .refine((u) => /^mysql:\/\//.test(u), 'must start with mysql://')
  .refine(
    (u) => new URL(u).pathname.length > 1,
    'must name a database, e.g. mysql://user:pass@host:3306/rushline',
  );
const redisUrl = z
  .string()
  .url()
  .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://');

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** `host:port,host:port`: a Redis Cluster's seed nodes (any masters; the client learns the rest). */
const redisNodes = z.string().transform((v, ctx): RedisNode[] => {
  const nodes: RedisNode[] = [];
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(part);
    const nodePort = m ? Number(m[2]) : 0;
    if (!m || nodePort < 1 || nodePort > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not host:port` });
      return z.NEVER;
    }
    nodes.push({ host: (m[1] as string).replace(/^\[|\]$/g, ''), port: nodePort });
  }
  if (nodes.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must list at least one host:port' });
    return z.NEVER;
  }
  return nodes;
});

/**
 * express's `trust proxy`: `false`, a hop count, or trusted proxy addresses/CIDRs (and express's names
 * loopback, linklocal, uniquelocal). Never `true`: it would believe any client's X-Forwarded-For.
 */
const trustProxy = z.string().transform((v, ctx): TrustProxy => {
  const text = v.trim();
  if (text === 'false' || text === '0') return false;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === '1') {
    ctx.addIssue({
      code: 'custom',
      message:
        'true trusts any X-Forwarded-For a client sends: give the number of proxy hops or their addresses',
    });
    return z.NEVER;
  }
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isTrustedProxyEntry(e));
  if (entries.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `false, a hop count, or addresses/CIDRs (or loopback, linklocal, uniquelocal); not ${bad.join(', ') || 'empty'}`,
    });
    return z.NEVER;
  }
  return entries;
});

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isTrustedProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4; // a netmask, e.g. 10.0.0.0/255.0.0.0
}

const RATE_LIMIT_KINDS = Object.keys(DEFAULT_RATE_LIMITS) as RateLimitKind[];
const rateLimitOverrides = z.string().transform((v, ctx) => {
  const out: Partial<Record<RateLimitKind, RateLimitRule>> = {};
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z]+)=(\d+)\/(\d+)$/.exec(part);
    const kind = m?.[1] as RateLimitKind | undefined;
    if (!m || !kind || !RATE_LIMIT_KINDS.includes(kind) || Number(m[2]) < 1 || Number(m[3]) < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}": want kind=points/seconds, kind one of ${RATE_LIMIT_KINDS.join(', ')}`,
      });
      return z.NEVER;
    }
    out[kind] = { points: Number(m[2]), durationS: Number(m[3]) };
  }
  return out;
});

// Multi-line PEM values are often passed with literal "\n" in .env files and container settings.
const pem = z.string().transform((v) => v.replace(/\\n/g, '\n').trim());

/** Node's own default is 511 (see HTTP_LISTEN_BACKLOG below). */
export const DEFAULT_HTTP_LISTEN_BACKLOG = 4_096;
/** Listening sockets per HTTP server (see HTTP_ACCEPTORS below). */
export const DEFAULT_HTTP_ACCEPTORS = 8;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_HOST: z.string().min(1).default('localhost'),
  API_PORT: port.default(3000),
  WAITING_ROOM_PORT: port.default(3001),
  WORKER_PORT: port.default(3002),
  GATEWAY_PORT: port.default(8080),
  TRUST_PROXY: trustProxy.prefault('false'),
  // listen(2)'s queue of connections not yet accepted: node's 511 overflows when thousands of browsers
  // connect in the same second, and each dropped SYN is retried 1, 3, 7, 15… s later (the kernel caps it
  // at net.core.somaxconn).
  HTTP_LISTEN_BACKLOG: positiveInt.default(DEFAULT_HTTP_LISTEN_BACKLOG),
  // Sockets each HTTP server listens on (SO_REUSEPORT, ADR 029): node accepts one connection per loop
  // turn per socket, so a busy process with one socket takes a burst's connections seconds late.
  HTTP_ACCEPTORS: z.coerce.number().int().min(1).max(64).default(DEFAULT_HTTP_ACCEPTORS),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb')
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  // How long /readyz answers 503 before the server stops accepting (ADR 014); unset: 5 s in production only.
  SHUTDOWN_DRAIN_MS: nonNegativeInt.max(60_000).optional(),

  DATABASE_URL: mysqlUrl.default('mysql://rushline:rushline@127.0.0.1:3306/rushline'),
  DATABASE_POOL_MAX: positiveInt.default(10),
  // A read replica for catalog and other read-mostly, staleness-tolerant reads (ADR 022); unset: the primary.
  DATABASE_READ_URL: mysqlUrl.optional(),
  // The account a replica started by `scripts/services.ts --replica` replicates with (created on the primary).
  DATABASE_REPLICATION_USER: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,32}$/, 'letters, digits or _, at most 32')
    .default('rushline_repl'),
  DATABASE_REPLICATION_PASSWORD: z
    .string()
    .min(8, 'must be at least 8 characters')
    .default(DEV_REPLICATION_PASSWORD),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  // Set: Rushline talks to a Redis Cluster through these seed nodes; REDIS_URL then only gives the
  // user, password and TLS (rediss://) that every node takes (ADR 023).
  REDIS_CLUSTER_NODES: redisNodes.optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32')
    .default('rl'),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
  JWT_ISSUER: z.string().min(1).default('rushline'),
  JWT_AUDIENCE: z.string().min(1).default('rushline'),
  ACCESS_TOKEN_TTL_S: positiveInt.default(900),
  REFRESH_TOKEN_TTL_S: positiveInt.default(14 * 24 * 3600),
  // Refuse access tokens of missing or deactivated accounts at the edge (core/auth/user-standing.ts).
  // Off only where people are stood up by token alone (the test suite, the join benchmark); not in production.
  AUTH_ACCOUNT_CHECK: bool.default(true),

  ADMISSION_KEY_ID: z.string().min(1).default(DEV_ADMISSION_KEY_ID),
  ADMISSION_PRIVATE_KEY: pem.optional(),
  ADMISSION_PUBLIC_KEY: pem.optional(),
  ADMISSION_TOKEN_TTL_S: positiveInt.default(600),
  // Accepted requests one admission allows (ADR 015): a cart and its corrections, or reservation attempts.
  ADMISSION_REQUEST_ALLOWANCE: positiveInt.max(100).default(3),

  // Empty: the browser reaches the api on the page's own origin (behind the gateway).
  API_PUBLIC_URL: z.union([z.literal(''), z.string().url()]).default(''),
  // Lets a scraper outside loopback/private networks read /metrics with `Authorization: Bearer <it>` (ADR 016).
  // Empty = unset, so .env.example can list it.
  // Both on by default; off only to measure what they cost (the bench's --observability off) or where
  // nothing scrapes or reads them. Off, /metrics answers 404 and no hook records anything.
  ACCESS_LOG: bool.default(true),
  METRICS: bool.default(true),
  // The api's submissions answered before express's router (ADR 028); off only to compare (the bench).
  SUBMIT_FAST_PATH: bool.default(true),
  METRICS_TOKEN: z
    .union([z.literal(''), z.string().min(16, 'must be at least 16 characters')])
    .optional()
    .transform((v) => v || undefined),
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:3001,http://127.0.0.1:3001')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().url())),

  ADMISSION_TICK_MS: positiveInt.max(1_000).default(500),
  LIVE_UPDATE_MS: positiveInt.max(10_000).default(1_000),
  LIVE_UPDATE_MAX_MS: positiveInt.max(60_000).default(10_000),
  ADMISSION_BACKLOG_LIMIT: positiveInt.default(5_000),
  // Adaptive admission (ADR 012): the pace backs off above these targets, and grows while under them.
  ADMISSION_PACE_BACKLOG: positiveInt.default(2_000),
  ADMISSION_PACE_P99_MS: positiveInt.default(1_000),
  ADMISSION_PACE_INTAKE: positiveInt.default(256),
  ADMISSION_PACE_INTAKE_MS: positiveInt.default(250),
  ADMISSION_PACE_FLOOR: positiveInt.default(60),
  ADMISSION_PACE_STEP: positiveInt.default(600),
  ADMISSION_PACE_START: positiveInt.default(6_000),
  ADMISSION_PACE_DOUBLING_MS: positiveInt.default(1_000),
  ROOM_SYNC_MS: positiveInt.default(5_000),

  COMMIT_CONCURRENCY: positiveInt.max(10_000).default(1_024),
  COMMIT_BATCH_MAX: positiveInt.max(5_000).default(1_000),
  COMMIT_BATCHES_IN_FLIGHT: positiveInt.max(16).default(3),
  COMMIT_LOCK_MS: positiveInt.min(1_000).default(15_000),
  // A room's next submission group starts at least this long after the previous one began, so spread
  // arrivals gather into one INSERT and one commit job instead of each paying their fixed cost (ADR 008
  // amended: off by default, it saves CPU but lengthens lock waits on contended rows).
  SUBMIT_GROUP_SPACING_MS: nonNegativeInt.max(1_000).default(0),
  OUTBOX_SWEEP_MS: positiveInt.default(5_000),
  OUTBOX_GRACE_MS: positiveInt.default(5_000),
  HOLD_EXPIRY_GRACE_MS: nonNegativeInt.default(5_000),

  PAYMENT_PROVIDER: z.enum(['simulated']).default('simulated'),
  // Production refuses the simulated provider (every charge succeeds) unless this says a demo wants it.
  ALLOW_SIMULATED_PAYMENTS: bool.default(false),
  PAYMENT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
  PAYMENT_SIM_FAIL_RATE: z.coerce.number().min(0).max(1).default(0),
  PAYMENT_SIM_DELAY_MS: nonNegativeInt.max(60_000).default(0),
  PAYMENT_RECONCILE_GRACE_MS: positiveInt.default(60_000),

  LOGIN_MAX_PER_ACCOUNT: positiveInt.default(10),
  // Sized for a campus NAT: thousands of students sign in from one address as registration opens (ADR 014).
  LOGIN_MAX_PER_IP: positiveInt.default(10_000),
  LOGIN_WINDOW_S: positiveInt.default(900),
  // Attempts on one account from all addresses together, per minute (ADR 014).
  LOGIN_ACCOUNT_PER_MIN: positiveInt.default(30),
  // Overrides of the request rate limits, e.g. `join=30/60,status=120/60` (ADR 014).
  RATE_LIMITS: rateLimitOverrides.prefault(''),
});

export type Env = z.input<typeof envSchema>;

/** Every variable Rushline reads (the README and .env.example must list each one). */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as (keyof Env)[];

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly logLevel: string;
  readonly http: {
    readonly host: string;
    readonly publicHost: string;
    readonly apiPort: number;
    readonly waitingRoomPort: number;
    readonly workerPort: number;
    /** The gateway (nginx) that gives browsers one origin for the app, the api and the waiting room. */
    readonly gatewayPort: number;
    readonly trustProxy: TrustProxy;
    readonly bodyLimit: string;
    /** Connections the kernel queues for accept() (capped by net.core.somaxconn). */
    readonly listenBacklog: number;
    /** Listening sockets of one port (SO_REUSEPORT), each accepting one connection per loop turn. */
    readonly acceptors: number;
    /** Where browsers reach the api (the waiting-room page signs in there); '' = the page's own origin. */
    readonly apiPublicUrl: string;
    /** Browser origins allowed to call the api (the waiting-room page's origin). */
    readonly corsOrigins: readonly string[];
    /** A bearer that lets a scraper read /metrics from anywhere; unset: loopback/private only (ADR 016). */
    readonly metricsToken: string | undefined;
    /** An `info` line per answered request (probes and scrapes excepted). */
    readonly accessLog: boolean;
    /** Prometheus metrics: recorded and served on /metrics (ADR 016). */
    readonly metrics: boolean;
    /** The api answers submissions before express's router (ADR 028). */
    readonly submitFastPath: boolean;
  };
  readonly shutdownTimeoutMs: number;
  /** After a stop signal, /readyz answers 503 this long before the server stops accepting. */
  readonly shutdownDrainMs: number;
  /** Requests per user (or per client address on unauthenticated routes) per window (ADR 014). */
  readonly rateLimits: Readonly<Record<RateLimitKind, RateLimitRule>>;
  readonly db: {
    readonly url: string;
    readonly poolMax: number;
    /** Where read-mostly reads that may lag go (ADR 022); undefined: they use `url`. */
    readonly readUrl: string | undefined;
    /** The replication account a local replica uses (scripts/services.ts --replica); the apps never use it. */
    readonly replication: { readonly user: string; readonly password: string };
  };
  readonly redis: {
    readonly url: string;
    readonly prefix: string;
    /** A Redis Cluster's seed nodes; unset: the single Redis at `url` (ADR 023). */
    readonly clusterNodes?: readonly RedisNode[];
  };
  readonly auth: {
    readonly jwtSecret: string;
    /** The secret as a KeyObject, made once rather than on every verify. */
    readonly jwtKey: KeyObject;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlS: number;
    readonly refreshTokenTtlS: number;
    /** Whether the api and waiting room refuse tokens of missing or deactivated accounts. */
    readonly accountCheck: boolean;
    readonly loginMaxPerAccount: number;
    readonly loginMaxPerIp: number;
    readonly loginWindowS: number;
    readonly loginMaxPerAccountPerMin: number;
  };
  readonly commit: {
    /** Jobs each commit worker holds at once; they are committed together in batches. */
    readonly concurrency: number;
    readonly batchMax: number;
    /** Commit transactions each worker process runs at once per room (ADR 030). */
    readonly batchesInFlight: number;
    /** BullMQ job lock: a job whose worker died is redelivered within about this long. */
    readonly lockMs: number;
    /** A room's next submission group (api) starts at least this long after the previous one began. */
    readonly groupSpacingMs: number;
    readonly outboxSweepMs: number;
    /** How old a still-queued request must be before the sweeper checks its job. */
    readonly outboxGraceMs: number;
    /** How long past its expiry a hold may stay unreleased before the sweep releases it (its job went missing). */
    readonly holdExpiryGraceMs: number;
  };
  readonly payments: {
    readonly provider: 'simulated';
    /** Production only runs the simulated provider when ALLOW_SIMULATED_PAYMENTS says so. */
    readonly allowSimulated: boolean;
    readonly currency: string;
    /** Simulated provider only: share of charges declined at random, and added latency per call. */
    readonly simFailRate: number;
    readonly simDelayMs: number;
    /** How old a pending payment must be before the sweep settles it by asking the provider. */
    readonly reconcileGraceMs: number;
  };
  readonly admission: {
    readonly keyId: string;
    /** Present where tokens are signed (the waiting room); the api only verifies. */
    readonly privateKey: KeyObject | undefined;
    readonly publicKey: KeyObject;
    readonly tokenTtlS: number;
    /** Accepted requests (202) one admission allows before it is spent (ADR 015). */
    readonly requestAllowance: number;
    /** How often the admission leader lets people in (at most a second, per the rate's smoothness). */
    readonly tickMs: number;
    /**
     * Each watcher of a room hears its periodic `room:tick` at least this often: the watchers are split
     * into max(1, floor(liveUpdateMs / tickMs)) groups and each admission tick goes to one group in turn
     * (ADR 007). Below tickMs it is the tick itself.
     */
    readonly liveUpdateMs: number;
    /**
     * While the host's CPU is spent, each watcher hears the room less often, down to this (live-cadence.ts,
     * ADR 007); at or below liveUpdateMs it never stretches.
     */
    readonly liveUpdateMaxMs: number;
    /** Requests accepted and not yet decided at which admission pauses (it halves from half of it). */
    readonly backlogLimit: number;
    /** Adaptive rooms' pace (ADR 012): cut above either target, grown while under both, never below the floor. */
    readonly pace: {
      readonly backlogTarget: number;
      readonly p99TargetMs: number;
      /**
       * Submissions an api process holds on average (its intake load) above which the pace is cut, when
       * it also holds each longer than `intakeHoldTargetMs` on average.
       */
      readonly intakeTarget: number;
      readonly intakeHoldTargetMs: number;
      readonly floorPerMin: number;
      readonly increasePerMinPerS: number;
      /** Where an adaptive room never paced starts before doubling (slow start), people/min. */
      readonly startPerMin: number;
      /** Slow start doubles the pace every this many ms. */
      readonly slowStartDoublingMs: number;
    };
    /** How often the leader re-reads room definitions from MySQL. */
    readonly roomSyncMs: number;
  };
}

function parseKeys(env: z.output<typeof envSchema>, problems: string[]): Config['admission'] | undefined {
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject | undefined;
  const privatePem =
    env.ADMISSION_PRIVATE_KEY ?? (env.ADMISSION_PUBLIC_KEY ? undefined : DEV_ADMISSION_PRIVATE_KEY);
  if (privatePem) {
    try {
      privateKey = createPrivateKey(privatePem);
      if (
        privateKey.asymmetricKeyType !== 'ec' ||
        privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
      ) {
        problems.push('ADMISSION_PRIVATE_KEY: must be an EC P-256 key (ES256)');
      }
    } catch {
      problems.push('ADMISSION_PRIVATE_KEY: not a readable PEM private key');
    }
  }
  if (env.ADMISSION_PUBLIC_KEY) {
    try {
      publicKey = createPublicKey(env.ADMISSION_PUBLIC_KEY);
    } catch {
      problems.push('ADMISSION_PUBLIC_KEY: not a readable PEM public key');
    }
  } else if (privateKey) {
    publicKey = createPublicKey(privateKey);
  }
  if (!publicKey) return undefined;
  return {
    keyId: env.ADMISSION_KEY_ID,
    privateKey,
    publicKey,
    tokenTtlS: env.ADMISSION_TOKEN_TTL_S,
    requestAllowance: env.ADMISSION_REQUEST_ALLOWANCE,
    tickMs: env.ADMISSION_TICK_MS,
    liveUpdateMs: env.LIVE_UPDATE_MS,
    liveUpdateMaxMs: env.LIVE_UPDATE_MAX_MS,
    backlogLimit: env.ADMISSION_BACKLOG_LIMIT,
    pace: {
      backlogTarget: env.ADMISSION_PACE_BACKLOG,
      p99TargetMs: env.ADMISSION_PACE_P99_MS,
      intakeTarget: env.ADMISSION_PACE_INTAKE,
      intakeHoldTargetMs: env.ADMISSION_PACE_INTAKE_MS,
      floorPerMin: env.ADMISSION_PACE_FLOOR,
      increasePerMinPerS: env.ADMISSION_PACE_STEP,
      startPerMin: env.ADMISSION_PACE_START,
      slowStartDoublingMs: env.ADMISSION_PACE_DOUBLING_MS,
    },
    roomSyncMs: env.ROOM_SYNC_MS,
  };
}

function refuseDevSecrets(source: Record<string, string | undefined>, problems: string[]): void {
  const jwt = source.JWT_SECRET;
  if (!jwt) problems.push('JWT_SECRET: required when NODE_ENV=production');
  else if (jwt === DEV_JWT_SECRET)
    problems.push('JWT_SECRET: the development default is refused in production');
  const adm = source.ADMISSION_PRIVATE_KEY ?? source.ADMISSION_PUBLIC_KEY;
  if (!adm) problems.push('ADMISSION_PRIVATE_KEY or ADMISSION_PUBLIC_KEY: required when NODE_ENV=production');
  if (!source.ADMISSION_KEY_ID || source.ADMISSION_KEY_ID === DEV_ADMISSION_KEY_ID) {
    problems.push('ADMISSION_KEY_ID: set a key id of your own in production');
  }
  // The only provider that ships is the simulated one: production must choose it knowingly (a demo).
  if (!source.PAYMENT_PROVIDER) {
    problems.push('PAYMENT_PROVIDER: required when NODE_ENV=production (only "simulated" ships: demos only)');
  }
  const dbUrl = source.DATABASE_URL;
  if (!dbUrl) problems.push('DATABASE_URL: required when NODE_ENV=production');
  else if (/^mysql:\/\/rushline:rushline@/.test(dbUrl)) {
    problems.push('DATABASE_URL: the development password is refused in production');
  }
  if (source.DATABASE_READ_URL && /^mysql:\/\/rushline:rushline@/.test(source.DATABASE_READ_URL)) {
    problems.push('DATABASE_READ_URL: the development password is refused in production');
  }
  if (source.DATABASE_REPLICATION_PASSWORD === DEV_REPLICATION_PASSWORD) {
    problems.push('DATABASE_REPLICATION_PASSWORD: the development default is refused in production');
  }
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
let devPublicKey: Buffer | undefined;
/** The development key pair's public half, however its PEM text was written (ADR 014). */
const isDevAdmissionKey = (key: KeyObject) =>
  spki(key).equals((devPublicKey ??= spki(createPublicKey(DEV_ADMISSION_PRIVATE_KEY))));

/** Production refuses what only a demo may run on, judged on the parsed values (ADR 014). */
function refuseDemoSettings(
  env: z.output<typeof envSchema>,
  admission: Config['admission'] | undefined,
  problems: string[],
): void {
  // Compared by public key, so a re-encoded PEM (PKCS#1/SEC1, other line breaks) of the published key fails too.
  if (admission?.privateKey && isDevAdmissionKey(createPublicKey(admission.privateKey))) {
    problems.push('ADMISSION_PRIVATE_KEY: the development key is refused in production');
  }
  if (env.ADMISSION_PUBLIC_KEY && admission && isDevAdmissionKey(admission.publicKey)) {
    problems.push('ADMISSION_PUBLIC_KEY: the development key is refused in production');
  }
  if (!env.AUTH_ACCOUNT_CHECK) {
    problems.push(
      'AUTH_ACCOUNT_CHECK: a deactivated account must not keep its session; refused in production',
    );
  }
  if (env.PAYMENT_PROVIDER === 'simulated' && !env.ALLOW_SIMULATED_PAYMENTS) {
    problems.push(
      'PAYMENT_PROVIDER: "simulated" accepts every charge; refused in production unless ALLOW_SIMULATED_PAYMENTS=true (a demo)',
    );
  }
}

/** Parses the environment into a frozen Config; throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset so `FOO=` in an .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production') refuseDevSecrets(cleaned, problems);
  const admission = parseKeys(env, problems);
  if (env.NODE_ENV === 'production') refuseDemoSettings(env, admission, problems);
  if (problems.length > 0 || !admission) throw new ConfigError(problems);

  return deepFreeze({
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    http: {
      host: env.HOST,
      publicHost: env.PUBLIC_HOST,
      apiPort: env.API_PORT,
      waitingRoomPort: env.WAITING_ROOM_PORT,
      workerPort: env.WORKER_PORT,
      gatewayPort: env.GATEWAY_PORT,
      trustProxy: env.TRUST_PROXY,
      bodyLimit: env.BODY_LIMIT,
      listenBacklog: env.HTTP_LISTEN_BACKLOG,
      acceptors: env.HTTP_ACCEPTORS,
      apiPublicUrl: env.API_PUBLIC_URL.replace(/\/$/, ''),
      corsOrigins: env.CORS_ORIGINS,
      metricsToken: env.METRICS_TOKEN,
      accessLog: env.ACCESS_LOG,
      metrics: env.METRICS,
      submitFastPath: env.SUBMIT_FAST_PATH,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_MS ?? (env.NODE_ENV === 'production' ? 5_000 : 0),
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...env.RATE_LIMITS },
    db: {
      url: env.DATABASE_URL,
      poolMax: env.DATABASE_POOL_MAX,
      readUrl: env.DATABASE_READ_URL,
      replication: { user: env.DATABASE_REPLICATION_USER, password: env.DATABASE_REPLICATION_PASSWORD },
    },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX, clusterNodes: env.REDIS_CLUSTER_NODES },
    auth: {
      jwtSecret: env.JWT_SECRET,
      jwtKey: createSecretKey(Buffer.from(env.JWT_SECRET, 'utf8')),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTokenTtlS: env.ACCESS_TOKEN_TTL_S,
      refreshTokenTtlS: env.REFRESH_TOKEN_TTL_S,
      accountCheck: env.AUTH_ACCOUNT_CHECK,
      loginMaxPerAccount: env.LOGIN_MAX_PER_ACCOUNT,
      loginMaxPerIp: env.LOGIN_MAX_PER_IP,
      loginWindowS: env.LOGIN_WINDOW_S,
      loginMaxPerAccountPerMin: env.LOGIN_ACCOUNT_PER_MIN,
    },
    commit: {
      concurrency: env.COMMIT_CONCURRENCY,
      batchMax: env.COMMIT_BATCH_MAX,
      batchesInFlight: env.COMMIT_BATCHES_IN_FLIGHT,
      lockMs: env.COMMIT_LOCK_MS,
      groupSpacingMs: env.SUBMIT_GROUP_SPACING_MS,
      outboxSweepMs: env.OUTBOX_SWEEP_MS,
      outboxGraceMs: env.OUTBOX_GRACE_MS,
      holdExpiryGraceMs: env.HOLD_EXPIRY_GRACE_MS,
    },
    payments: {
      provider: env.PAYMENT_PROVIDER,
      allowSimulated: env.ALLOW_SIMULATED_PAYMENTS,
      currency: env.PAYMENT_CURRENCY,
      simFailRate: env.PAYMENT_SIM_FAIL_RATE,
      simDelayMs: env.PAYMENT_SIM_DELAY_MS,
      reconcileGraceMs: env.PAYMENT_RECONCILE_GRACE_MS,
    },
    admission,
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) {
    // KeyObjects are left alone: they are immutable already and freezing them breaks node's internal slots.
    if (v && typeof v === 'object' && !(v instanceof KeyObject)) deepFreeze(v as object);
  }
  return Object.freeze(value);
}
