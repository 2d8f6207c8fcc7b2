/**
 * What a benchmark's figures depend on, recorded with every run (text and `--json`) so that a figure can
 * be reproduced, or told apart from one taken on another machine, version or load: the open-file limit,
 * the processes per app and clients per process, Node/MariaDB/Redis versions, the load before the run,
 * the cores, the kernel and what a fixed piece of JavaScript and a loopback round trip cost on it, the
 * commit and the date. Gathered once, in scripts/bench.ts, for every scenario.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { inspect, promisify } from 'node:util';
import { loadConfig } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { loadEnvFile } from '../../core/env-file.js';
import { createRedis } from '../../core/redis.js';
import { probeMachine, type MachineProbe } from './machine-probe.js';

/** `ulimit -n`: null where there is no limit (or it could not be read). */
export interface FileLimit {
  soft: number | null;
  hard: number | null;
}

/**
 * Processes the scenario started per app (a number, or words where it changes during the run, e.g.
 * "1, then 2") and the clients each load-generating process drove, by what they are (a size, "students").
 */
export interface Topology {
  processes: Record<string, number | string>;
  clients_per_process?: Record<string, number[]>;
}

export interface RunContext {
  date: string;
  git_commit: string | null;
  /** Files changed since that commit: a run of uncommitted code is not that commit's figure. */
  git_dirty: boolean | null;
  node: string;
  mariadb: string | null;
  redis: string | null;
  cores: number;
  cpu_model: string | null;
  /** os.loadavg() (1, 5, 15 min) just before the scenario started. */
  load_before: number[];
  /**
   * As the scenario's processes have it: Node raises its soft limit to the hard one when it starts, so
   * the hard limit is what bounds the sockets a process can hold (`ulimit -Hn`).
   */
  ulimit_n: FileLimit;
  /** Measured just before the scenario (machine-probe.ts); null if the probe failed. */
  machine: MachineProbe | null;
  processes?: Topology['processes'];
  clients_per_process?: Topology['clients_per_process'];
}

/** The open-file limits in /proc/<pid>/limits ("Max open files  20000  20000  files"). */
export function parseOpenFileLimit(procLimits: string): FileLimit {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(procLimits);
  const num = (v: string | undefined) => (v === undefined || !/^\d+$/.test(v) ? null : Number(v));
  return { soft: num(m?.[1]), hard: num(m?.[2]) };
}

/** This process's open-file limits, which the processes it starts inherit (Linux; nulls elsewhere). */
export async function readOpenFileLimit(): Promise<FileLimit> {
  return parseOpenFileLimit(await readFile('/proc/self/limits', 'utf8').catch(() => ''));
}

/** `redis_version` from Redis `INFO server`. */
export function parseRedisVersion(info: string): string | null {
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? null;
}

/** The scenario's topology, if its result carries a well-formed one under `topology`. */
export function topologyOf(result: Record<string, unknown>): Topology | undefined {
  const t = result.topology;
  if (typeof t !== 'object' || t === null || !('processes' in t)) return undefined;
  return t as Topology;
}

/** The context with the scenario's topology added, and the result without it (it is not a figure). */
export function withTopology(
  ctx: RunContext,
  result: Record<string, unknown>,
): { context: RunContext; result: Record<string, unknown> } {
  const topology = topologyOf(result);
  if (!topology) return { context: ctx, result };
  const rest = { ...result };
  delete rest.topology;
  return { context: { ...ctx, ...topology }, result: rest };
}

/** The context as `key value` lines for the text output, the same keys as in the JSON. */
export function formatRunContext(ctx: RunContext): string[] {
  const limit = ctx.ulimit_n;
  const show = (v: number | null) => (v === null ? 'unlimited' : String(v));
  const lines: [string, string][] = [
    ['date', ctx.date],
    ['git_commit', `${ctx.git_commit ?? 'unknown'}${ctx.git_dirty ? ' (with uncommitted changes)' : ''}`],
    ['node', ctx.node],
    ['mariadb', ctx.mariadb ?? 'unknown'],
    ['redis', ctx.redis ?? 'unknown'],
    ['cores', `${ctx.cores}${ctx.cpu_model ? ` (${ctx.cpu_model})` : ''}`],
    ['load_before', ctx.load_before.join(' ')],
    ['ulimit_n', `soft ${show(limit.soft)}, hard ${show(limit.hard)}`],
  ];
  const m = ctx.machine;
  if (m) {
    lines.push(['kernel', m.kernel]);
    lines.push([
      'machine_probe',
      `js ${m.js_ms} ms CPU; loopback round trip ${m.loopback_round_trip_us} µs, ` +
        `${m.loopback_cpu_us} µs CPU (${Math.round(m.loopback_system_share * 100)}% kernel)`,
    ]);
  }
  if (ctx.processes) lines.push(['processes', JSON.stringify(ctx.processes)]);
  if (ctx.clients_per_process) lines.push(['clients_per_process', JSON.stringify(ctx.clients_per_process)]);
  return lines.map(([k, v]) => `${k.padEnd(34)} ${v}`);
}

const run = promisify(execFile);

async function gitState(): Promise<{ commit: string | null; dirty: boolean | null }> {
  // No git (a tarball, git not installed): the run still goes on, with the commit unknown.
  const commit = await run('git', ['rev-parse', '--short', 'HEAD'])
    .then((r) => r.stdout.trim() || null)
    .catch(() => null);
  if (commit === null) return { commit, dirty: null };
  const dirty = await run('git', ['status', '--porcelain', '--untracked-files=no'])
    .then((r) => r.stdout.trim() !== '')
    .catch(() => null);
  return { commit, dirty };
}

/** Resolves to undefined instead of waiting longer than `ms` (a server that is down must not hang the run). */
function within<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function serverVersions(): Promise<{ mariadb: string | null; redis: string | null }> {
  loadEnvFile();
  const cfg = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const db = createDb(cfg, { database: '', poolMax: 1 });
  // 'blocking' queues the command until connected ('command' fails at once while still connecting).
  const redis = createRedis(cfg, 'blocking', 'bench-context');
  try {
    const [mariadb, redisVersion] = await Promise.all([
      within(
        5_000,
        db.raw<[{ v: string }[]]>('SELECT VERSION() AS v').then(([rows]) => rows?.[0]?.v ?? null),
      ).catch(() => null),
      within(5_000, redis.info('server').then(parseRedisVersion)).catch(() => null),
    ]);
    return { mariadb: mariadb ?? null, redis: redisVersion ?? null };
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}

/** Everything but the topology, which only the scenario knows: call it before the scenario starts. */
export async function captureRunContext(): Promise<RunContext> {
  // First, before our own connections add anything to it.
  const load = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const [git, versions, limit] = await Promise.all([gitState(), serverVersions(), readOpenFileLimit()]);
  // Alone, after the rest: it times this process's own CPU and event loop.
  const machine = await probeMachine().catch(() => null);
  return {
    date: new Date().toISOString(),
    git_commit: git.commit,
    git_dirty: git.dirty,
    node: process.version,
    mariadb: versions.mariadb,
    redis: versions.redis,
    cores: os.cpus().length,
    cpu_model: os.cpus()[0]?.model.trim() ?? null,
    load_before: load,
    ulimit_n: limit,
    machine,
  };
}

/**
 * One line saying what failed and why, from an error whose message may carry a child process's whole
 * log (a stack, an error object dumped by Node): its first line, plus the line that says why — a
 * `fatal: ` line a client process printed, else the first `SomethingError: …` line — and any system
 * error code (EMFILE…) found in it.
 */
export function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const [first = '', ...rest] = message.split('\n').map((l) => l.trim());
  const head = first.replace(/:$/, '');
  const fatal = rest.find((l) => l.startsWith('fatal: '))?.slice('fatal: '.length);
  const errorLine = rest.find((l) => /^(?:Uncaught )?[A-Z]\w*(?:Error|Exception)\b/.test(l));
  // System error codes that say why sockets or processes failed (not any capitalised word: "ERROR").
  const code =
    /\b(EMFILE|ENFILE|EADDRNOTAVAIL|EADDRINUSE|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOMEM|ENOSPC|EACCES)\b/.exec(
      rest.join('\n'),
    )?.[1];
  let why = fatal ?? errorLine;
  if (code && !(why ?? head).includes(code)) why = why ? `${why} (${code})` : code;
  const line = why && !head.includes(why) ? `${head}: ${why}` : head;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** The whole error, causes included, for the details file the one-line message points to. */
export function failureDetails(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : inspect(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join('\n\ncaused by:\n');
}
