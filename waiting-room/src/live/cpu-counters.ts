import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Cumulative CPU time, idle and total, in any one unit: of the whole host (all cores), or of a
 * container's quota.
 */
export interface HostCpuTimes {
  idle: number;
  total: number;
}

/**
 * The counters that bound this process's CPU: the node's, and its container's quota when it has one
 * (below). The live cadence reads the scarcer of them.
 */
export function cpuCounters(): HostCpuTimes[] {
  const quota = cgroupCpuTimes();
  return quota ? [hostCpuTimes(), quota] : [hostCpuTimes()];
}

/** The node's CPU time over all its cores (os.cpus(), ms). */
export function hostCpuTimes(): HostCpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/**
 * The idle share of the scarcest counter between two samples; null when none moved (or the set of
 * counters changed: a quota appeared or went).
 */
export function idleShare(before: readonly HostCpuTimes[], after: readonly HostCpuTimes[]): number | null {
  if (before.length !== after.length) return null;
  let least: number | null = null;
  after.forEach((a, i) => {
    const total = a.total - before[i]!.total;
    if (total <= 0) return;
    const share = (a.idle - before[i]!.idle) / total;
    least = least === null ? share : Math.min(least, share);
  });
  return least;
}

/** The idle share now: of the last interval sampled, and whether this read took a new sample. */
export interface IdleReading {
  share: number | null;
  fresh: boolean;
}

/**
 * The idle share of the scarcest counter over the last `everyMs` (or more): each read at least that long
 * after the previous sample takes a new one; a read sooner returns the last share. Null until two samples.
 */
export class HostIdleMeter {
  private last: { atMs: number; times: readonly HostCpuTimes[] } | undefined;
  private share: number | null = null;

  constructor(
    private readonly sample: () => readonly HostCpuTimes[] = cpuCounters,
    private readonly everyMs = 1_000,
  ) {}

  read(nowMs: number): IdleReading {
    if (this.last && nowMs - this.last.atMs < this.everyMs) return { share: this.share, fresh: false };
    const times = this.sample();
    this.share = this.last ? idleShare(this.last.times, times) : null;
    this.last = { atMs: nowMs, times };
    return { share: this.share, fresh: true };
  }
}

/**
 * The CPU this process's container may use and has used, as cumulative counters in µs (idle = allowed −
 * used): in a pod with a CPU limit (deploy/k8s sets one) the process is throttled at its quota while
 * the node's cores may sit idle, so the node's counters alone would never say it is out of CPU. Null
 * when no quota applies (no cgroup file, or an unlimited one): then the node's counters say it all.
 * cgroup v2 (`cpu.max`, `cpu.stat`), else v1 (`cpu.cfs_quota_us`, `cpuacct.usage`); inside a container
 * the cgroup namespace makes `root` the container's own group.
 */
export function cgroupCpuTimes(
  root = '/sys/fs/cgroup',
  wallUs: () => number = () => Number(process.hrtime.bigint() / 1000n),
): HostCpuTimes | null {
  const limit = quotaV2(root) ?? quotaV1(root);
  if (!limit) return null;
  const used = limit.usedUs();
  if (used === null) return null;
  const total = wallUs() * limit.cores;
  return { idle: total - used, total };
}

interface Quota {
  /** Cores' worth of CPU time allowed per unit of wall time. */
  cores: number;
  usedUs(): number | null;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function quotaV2(root: string): Quota | null {
  const max = read(path.join(root, 'cpu.max'))?.trim().split(/\s+/);
  if (!max || max[0] === 'max') return null;
  const cores = Number(max[0]) / Number(max[1] ?? 100_000);
  if (!(cores > 0)) return null;
  return {
    cores,
    usedUs: () => {
      const m = /^usage_usec (\d+)$/m.exec(read(path.join(root, 'cpu.stat')) ?? '');
      return m ? Number(m[1]) : null;
    },
  };
}

function quotaV1(root: string): Quota | null {
  for (const dir of ['cpu,cpuacct', 'cpu']) {
    const quota = Number(read(path.join(root, dir, 'cpu.cfs_quota_us')) ?? NaN);
    const period = Number(read(path.join(root, dir, 'cpu.cfs_period_us')) ?? NaN);
    if (!(quota > 0 && period > 0)) continue;
    return {
      cores: quota / period,
      usedUs: () => {
        for (const acct of ['cpu,cpuacct', 'cpuacct']) {
          const ns = Number(read(path.join(root, acct, 'cpuacct.usage')) ?? NaN);
          if (Number.isFinite(ns)) return ns / 1_000;
        }
        return null;
      },
    };
  }
  return null;
}
