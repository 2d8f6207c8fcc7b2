import { cpuCounters, HostIdleMeter, type HostCpuTimes } from './cpu-counters.js';

/**
 * How often each watcher hears a room's tick, as a multiple of LIVE_UPDATE_MS (docs/adr/007, revised
 * 2026-12-01). A tick costs one socket write per watcher; on a host out of CPU those writes take cores
 * the commit pipeline needs, and every waiting person's rush lasts longer for a position refreshed each
 * second. So while the host has no CPU to spare and there is work the ticks hold up (commits to make, or
 * an opening coming: see `noteWork`), the stretch grows by one step a second, up to LIVE_UPDATE_MAX_MS; it
 * shrinks back a step a second once the host has CPU to spare or that work is gone. A host with headroom
 * keeps LIVE_UPDATE_MS, and so does a busy one with nothing else to do: the ticks are then the work.
 */

/** Below this share of the host's CPU idle the stretch grows; above the second it shrinks. */
export const STRETCH_WHEN_IDLE_BELOW = 0.1;
export const SHRINK_WHEN_IDLE_ABOVE = 0.3;
/** The host is sampled, and the stretch moves by one step, at most this often. */
export const CADENCE_STEP_MS = 1_000;
/** Work counts as gone once passes of the admission leader have seen none for this long. */
export const WORK_GONE_AFTER_MS = 2_000;

/**
 * The next stretch from the host's idle share over the last step and whether work the ticks hold up is
 * waiting (pure). Without it there is nothing for the ticks to yield to.
 */
export function nextStretch(
  stretch: number,
  idleShare: number,
  maxStretch: number,
  workWaiting = true,
): number {
  if (!workWaiting) return Math.max(1, Math.min(maxStretch, stretch - 1));
  if (idleShare < STRETCH_WHEN_IDLE_BELOW) return Math.min(maxStretch, stretch + 1);
  if (idleShare > SHRINK_WHEN_IDLE_ABOVE) return Math.max(1, stretch - 1);
  return Math.min(maxStretch, Math.max(1, stretch));
}

/**
 * Whether the tick of sequence number `seq` goes out at this stretch: the groups still take turns
 * (`seq % groups`), and only every `stretch`-th round of turns is sent, so each group hears the room
 * every groups × stretch ticks.
 */
export function tickGoesOut(seq: number, groups: number, stretch: number): boolean {
  const round = Math.floor(seq / Math.max(1, groups));
  return ((round % stretch) + stretch) % stretch === 0;
}

/** What the broadcaster asks before each tick: the stretch now. */
export interface LiveCadence {
  stretch(nowMs: number): number;
}

/** Why the interval changed, for the log: operators see the host's idle share and whether work waited. */
export interface CadenceChange {
  intervalMs: number;
  idleShare: number;
  workWaiting: boolean;
}

/**
 * The stretch of this process (the room's admission leader decides for the rooms it leads), from the
 * host's CPU and what its admission passes saw (`noteWork`). Memory only: a new
 * leader starts at 1 and finds its own host's state within seconds.
 */
export class HostLiveCadence implements LiveCadence {
  /** LIVE_UPDATE_MAX_MS in whole steps of LIVE_UPDATE_MS; at or below it, one: never stretched. */
  readonly maxStretch: number;
  private current = 1;
  private readonly idle: HostIdleMeter;
  private workSeenAtMs = Number.NEGATIVE_INFINITY;
  private lastPassSawWork = false;

  constructor(
    private readonly intervals: { liveUpdateMs: number; liveUpdateMaxMs: number },
    sample: () => readonly HostCpuTimes[] = cpuCounters,
    /** Told each change and why (for the log). */
    private readonly onChange: (change: CadenceChange) => void = () => undefined,
  ) {
    this.maxStretch = Math.max(1, Math.floor(intervals.liveUpdateMaxMs / intervals.liveUpdateMs));
    this.idle = new HostIdleMeter(sample, CADENCE_STEP_MS);
  }

  /**
   * What an admission pass saw (admission-controller.ts): whether any room it ticked has commits to make
   * or is in its pre-queue. Work counts as gone only once passes have said so for WORK_GONE_AFTER_MS: a
   * pass in progress may take seconds on a saturated host, and its silence says nothing.
   */
  noteWork(seen: boolean, nowMs: number): void {
    this.lastPassSawWork = seen;
    if (seen) this.workSeenAtMs = nowMs;
  }

  stretch(nowMs: number): number {
    if (this.maxStretch <= 1) return 1;
    const { share: idle, fresh } = this.idle.read(nowMs);
    if (fresh && idle !== null) {
      const workWaiting = this.lastPassSawWork || nowMs - this.workSeenAtMs <= WORK_GONE_AFTER_MS;
      const next = nextStretch(this.current, idle, this.maxStretch, workWaiting);
      if (next !== this.current) {
        this.onChange({ intervalMs: next * this.intervals.liveUpdateMs, idleShare: idle, workWaiting });
      }
      this.current = next;
    }
    return this.current;
  }

  /** How often each watcher hears the room now, ms (without sampling). */
  intervalMs(): number {
    return this.current * this.intervals.liveUpdateMs;
  }
}
