/** CPU time read from /proc (Linux), for the scenarios' CPU figures: per process, MySQL and Redis, the machine. */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { AppProcess } from '../lib/app-process.js';
import { round } from './bench-env.js';
import { sum } from './stats.js';

/** Jiffies (1/100 s) a process has used so far, user + system; NaN when unreadable. */
export function processTicks(pid: number | undefined): number {
  const { user, system } = processTicksByMode(pid);
  return user + system;
}

/** The same jiffies split into user and system (kernel) time; NaN when unreadable. */
export function processTicksByMode(pid: number | undefined): { user: number; system: number } {
  try {
    return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks;
  } catch {
    return { user: NaN, system: NaN };
  }
}

/** A /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line: its command name and user/system jiffies. */
function statTicks(stat: string): { comm: string; ticks: { user: number; system: number } } {
  // The name is in parentheses and may hold spaces or ')': the fields are what follows the last ') '.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ticks: { user: Number(fields[11]), system: Number(fields[12]) },
  };
}

/** Where a node process spends CPU: its JavaScript thread, libuv's pool (async fs writes such as a log's), V8's helpers (GC, compiler), the rest. */
export const THREAD_KINDS = ['main', 'libuv', 'v8', 'other'] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];

/** A process's jiffies (user + system) by thread kind, from /proc/<pid>/task (Linux); zeros when unreadable. */
export function processTicksByThread(pid: number | undefined): Record<ThreadKind, number> {
  const out: Record<ThreadKind, number> = { main: 0, libuv: 0, v8: 0, other: 0 };
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const { comm, ticks } = statTicks(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      const kind: ThreadKind =
        tid === String(pid)
          ? 'main'
          : comm.startsWith('libuv')
            ? 'libuv'
            : comm.startsWith('V8') || comm.startsWith('node-V8') || comm === 'DelayedTaskSche'
              ? 'v8'
              : 'other';
      out[kind] += ticks.user + ticks.system;
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

/** Busy and total jiffies of the whole machine (everything on it, not only this run); NaN when unreadable. */
export function machineJiffies(): { busy: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - (cpu[3] ?? 0) - (cpu[4] ?? 0), total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** Local MariaDB/MySQL and Redis servers' pids: shared with anything else on the machine, ours while we run. */
export function serverPids(): { mysqld: number[]; redis: number[] } {
  const out = { mysqld: [] as number[], redis: [] as number[] };
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      // gone already
    }
    if (comm === 'mariadbd' || comm === 'mysqld') out.mysqld.push(Number(entry));
    if (comm === 'redis-server') out.redis.push(Number(entry));
  }
  return out;
}

/** CPU ticks (1/100 s) so far: the whole machine's busy time and, by name, the given processes'. */
export interface CpuSample {
  at: number;
  busy: number;
  byName: Record<string, number>;
}

const orZero = (v: number) => (Number.isNaN(v) ? 0 : v);

/** Linux only (/proc); elsewhere every figure reads 0. */
export function cpuSample(pids: Record<string, number[]>): CpuSample {
  const busy = orZero(machineJiffies().busy);
  const byName: Record<string, number> = {};
  for (const [name, list] of Object.entries(pids))
    byName[name] = sum(list.map((pid) => orZero(processTicks(pid))));
  return { at: Date.now(), busy, byName };
}

/** CPU use between two samples in % of one core (200 = both cores of a 2-core box); `other` is the rest. */
export function cpuBetween(a: CpuSample, b: CpuSample): Record<string, number> {
  const s = Math.max(0.001, (b.at - a.at) / 1000);
  const out: Record<string, number> = { machine: round((b.busy - a.busy) / s) };
  for (const name of Object.keys(b.byName))
    out[name] = round(((b.byName[name] ?? 0) - (a.byName[name] ?? 0)) / s);
  out.other = round(out.machine! - sum(Object.keys(b.byName).map((n) => out[n]!)));
  return out;
}

/** `cpuBetween` of each pair of consecutive samples, as one series per name (a sample a second: each second's CPU). */
export function cpuSeries(samples: CpuSample[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (let i = 1; i < samples.length; i++)
    for (const [name, pct] of Object.entries(cpuBetween(samples[i - 1]!, samples[i]!)))
      (out[name] ??= []).push(pct);
  return out;
}

/**
 * Cores busy on average since it was made: per kind of process this run started (by name prefix), the
 * local MySQL and Redis servers (whoever uses them), and the whole machine (everything on it, other runs included).
 */
export function coresMeter(procs: AppProcess[], kinds: Record<string, string>): () => Record<string, number> {
  const { mysqld, redis } = serverPids();
  const services = [...mysqld, ...redis];
  const cpuSeconds = (pid: number | undefined) => processTicks(pid) / 100;
  const take = () => ({
    at: Date.now(),
    cpu: procs.map((p) => cpuSeconds(p.proc.pid)),
    services: sum(services.map(cpuSeconds)),
    machine: machineJiffies(),
  });
  const from = take();
  return () => {
    const to = take();
    const s = Math.max(0.001, (to.at - from.at) / 1000);
    const of = (prefix: string) =>
      round(sum(procs.map((p, i) => (p.name.startsWith(prefix) ? to.cpu[i]! - from.cpu[i]! : 0))) / s, 2);
    const machine =
      (to.machine.busy - from.machine.busy) / Math.max(1, to.machine.total - from.machine.total);
    return {
      ...Object.fromEntries(Object.entries(kinds).map(([key, prefix]) => [key, of(prefix)])),
      'mysql+redis': round((to.services - from.services) / s, 2),
      machine: round(machine * cpus().length, 2),
    };
  };
}
