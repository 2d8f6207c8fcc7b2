/**
 * A room's admission pace under AIMD (docs/adr/012-adaptive-admission.md): while the commit pipeline keeps
 * up (backlog and recent submit → outcome p99 under their targets) the rate grows by a fixed amount per
 * second; when either is over, it is cut by a factor, at most once per cut interval (the signals lag the
 * cut: people admitted before it are still submitting). Always within [floor, ceiling], the ceiling being
 * the operator's maximum rate. Pure: the controller stores the state in the room's Redis hash.
 */

export type AdmissionMode = 'adaptive' | 'fixed';
export const ADMISSION_MODES = ['adaptive', 'fixed'] as const satisfies readonly AdmissionMode[];

export interface PaceTargets {
  /** Queued (not yet decided) requests of the room above which the pace is cut. */
  backlogTarget: number;
  /** Recent submit → outcome p99 above which the pace is cut. */
  p99TargetMs: number;
  /** The pace never drops below this (nor above the ceiling, if the ceiling is lower). */
  floorPerMin: number;
  /** Additive increase, per minute of rate, per second that passes under target. */
  increasePerMinPerS: number;
  /** Multiplicative decrease: the pace after a cut is this fraction of the pace before (0 < f < 1). */
  decreaseFactor: number;
  /** At most one cut per this many ms. */
  cutIntervalMs: number;
}

export interface PaceState {
  ratePerMin: number;
  /** When the state was last stepped (the increase is proportional to the time since). */
  updatedAtMs: number;
  /** When the pace was last cut; null if never. */
  cutAtMs: number | null;
}

export interface PaceSignals {
  backlog: number;
  /** Null when no request completed recently: says nothing, so it is not over target. */
  p99Ms: number | null;
  nowMs: number;
}

export type PaceStep = 'increase' | 'decrease' | 'hold' | 'pinned';

/** A cut halves the pace; at most one cut per 2 s (the p99 it follows covers the last 5 s). */
export const PACE_DECREASE_FACTOR = 0.5;
export const PACE_CUT_INTERVAL_MS = 2_000;

/** A gap longer than this (a stall, a handover between leaders) counts as this much: no jump in one step. */
export const MAX_STEP_MS = 2_000;

/**
 * The next pace. No state (a room never paced) starts at the ceiling: the room opens at the operator's
 * rate and backs off from there if the pipeline can't keep up. Fixed mode is the ceiling, always.
 */
export function nextPace(
  state: PaceState | null,
  mode: AdmissionMode,
  ceilingPerMin: number,
  signals: PaceSignals,
  targets: PaceTargets,
): { state: PaceState; step: PaceStep } {
  const ceiling = Math.max(0, ceilingPerMin);
  const floor = Math.min(targets.floorPerMin, ceiling);
  const clamp = (r: number) => Math.min(ceiling, Math.max(floor, r));
  const { nowMs } = signals;
  if (mode === 'fixed' || state === null) {
    return {
      state: { ratePerMin: ceiling, updatedAtMs: nowMs, cutAtMs: state?.cutAtMs ?? null },
      step: mode === 'fixed' ? 'pinned' : 'hold',
    };
  }
  const rate = clamp(state.ratePerMin);
  const over =
    signals.backlog > targets.backlogTarget ||
    (signals.p99Ms !== null && signals.p99Ms > targets.p99TargetMs);
  if (over) {
    const mayCut = state.cutAtMs === null || nowMs - state.cutAtMs >= targets.cutIntervalMs;
    if (!mayCut)
      return { state: { ratePerMin: rate, updatedAtMs: nowMs, cutAtMs: state.cutAtMs }, step: 'hold' };
    return {
      state: { ratePerMin: clamp(rate * targets.decreaseFactor), updatedAtMs: nowMs, cutAtMs: nowMs },
      step: 'decrease',
    };
  }
  const elapsedMs = Math.min(MAX_STEP_MS, Math.max(0, nowMs - state.updatedAtMs));
  const next = clamp(rate + (targets.increasePerMinPerS * elapsedMs) / 1_000);
  return {
    state: { ratePerMin: next, updatedAtMs: nowMs, cutAtMs: state.cutAtMs },
    step: next > rate ? 'increase' : 'hold',
  };
}
