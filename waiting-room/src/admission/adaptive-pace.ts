/**
 * A room's admission pace under AIMD (docs/adr/012-adaptive-admission.md): a room starts at a modest pace
 * and doubles it every second by default (slow start) until a signal comes halfway to its target or the
 * host runs out of CPU; from then on,
 * while the pipeline keeps up (the commit backlog, the recent submit → outcome p99 and the api's intake
 * load all under their targets) and the room is admitting, the rate grows by a share of itself per
 * second; when any signal is over, it is cut by a factor, at most once per cut interval (the signals lag
 * the cut: people admitted before it are still submitting), but never below that factor of what the
 * pipeline delivers for the room now: a queue left by people admitted earlier drains while admission
 * goes on, instead of the pace collapsing to the floor and the pipeline going idle once it has.
 * Always within [floor, ceiling], the ceiling being the operator's maximum rate. Pure: the controller hands
 * the state to the next plan-tick script, which stores it in the room's Redis hash.
 */
import type { IntakeFigures } from '../../../core/admission/intake-load.js';

export type AdmissionMode = 'adaptive' | 'fixed';
export const ADMISSION_MODES = ['adaptive', 'fixed'] as const satisfies readonly AdmissionMode[];

export interface PaceTargets {
  /** Where a room never paced starts (or its ceiling, if lower): the pipeline's capacity is unknown yet. */
  startPerMin: number;
  /**
   * Slow start doubles the pace every this many ms under target. The signals lag what is admitted
   * (people submit, the api publishes its load, the next tick reads it, the tick after applies the
   * step): by about 2 s for the api's and the pipeline's, so doubling faster than that overshot the api
   * several times over before they showed it (issue 12); by half a second to a second for the host's
   * CPU, which lets a pipeline on the waiting room's host or beside it double every second (ADR 012,
   * amended 2026-12-03).
   */
  slowStartDoublingMs: number;
  /** Queued (not yet decided) requests of the room above which the pace is cut. */
  backlogTarget: number;
  /** Recent submit → outcome p99 above which the pace is cut. */
  p99TargetMs: number;
  /**
   * The busiest api process's intake load (submissions it holds, on average) above which, together with
   * `intakeHoldTargetMs`, the pace is cut: students queue at the api before any request row exists, where
   * the other two signals can't see them.
   */
  intakeTarget: number;
  /**
   * …and the mean time it holds each above which: a count alone grows with throughput (1,300 a second
   * held 0.2 s each is 260 held) and cut a pace whose students waited nowhere (ADR 012).
   */
  intakeHoldTargetMs: number;
  /** The pace never drops below this (nor above the ceiling, if the ceiling is lower). */
  floorPerMin: number;
  /** Increase, per minute of rate, per second that passes under target: at least this much… */
  increasePerMinPerS: number;
  /**
   * …or this share of the pace itself, whichever is more: a flat step that suits a room of 6,000/min
   * would take 1,000 s to climb back to 600,000/min after one cut, and a share of the ceiling grows a
   * pace cut to a few hundred a second by thousands a second (ADR 012).
   */
  increaseShareOfPacePerS: number;
  /** Multiplicative decrease: the pace after a cut is this fraction of the pace before (0 < f < 1). */
  decreaseFactor: number;
  /** At most one cut per this many ms. */
  cutIntervalMs: number;
}

export interface PaceState {
  ratePerMin: number;
  /** When the state was last stepped (the increase is proportional to the time since). */
  updatedAtMs: number;
  /**
   * When the pace was last cut; null while in slow start. Slow start ending without a cut (a signal
   * halfway to its target) reads as a cut one cut interval earlier: the next cut may come at once.
   */
  cutAtMs: number | null;
}

export interface PaceSignals {
  backlog: number;
  /** Null when no request completed recently: says nothing, so it is not over target. */
  p99Ms: number | null;
  /** Null when no api process published its intake lately: says nothing either. */
  intake: IntakeFigures | null;
  /** The room's requests decided per minute lately (null: unknown): a cut does not go below its share. */
  deliveredPerMin: number | null;
  nowMs: number;
  /**
   * False while the room lets nobody in (paused, sold out, nobody waiting): then nothing shows the pipeline
   * could absorb more, so the pace does not grow (it still follows a signal over target down).
   */
  admitting: boolean;
  /**
   * The share of CPU left idle on the leader's host (or in its container's quota) over its last sample
   * (every half second); null: unknown. Ends slow start when low (SLOW_START_EXIT_IDLE_BELOW).
   */
  hostIdleShare: number | null;
}

export type PaceStep = 'increase' | 'decrease' | 'hold' | 'pinned';

/** A cut halves the pace; at most one cut per 2 s (the p99 it follows covers the last 5 s). */
export const PACE_DECREASE_FACTOR = 0.5;
export const PACE_CUT_INTERVAL_MS = 2_000;
/**
 * A halved pace climbs back to where it was in about ln 2 / ln(1 + share) s: 5 s with 15 % per second.
 * At 10 % (7 s) the rush's pipeline idled for 10–15 s after its first cut; at 25 % (3 s), once the opening
 * was warm, the pace compounded past what the machine took during the second or two its signals lag, and
 * the students admitted then waited 1.5–2 s (issue 12, ADR 012).
 */
export const PACE_STEP_SHARE_OF_PACE = 0.15;

/**
 * Slow start lasts until a signal passes this share of its target (or one is over it). When only these
 * signals ended it, doubling every second overshot the api several times over before the first cut, as
 * they lag by a second or two (issue 12); leaving at half way leaves room for what is already on its way
 * (like TCP's HyStart).
 */
export const SLOW_START_EXIT_SHARE = 0.5;
/**
 * …and leaves at this share of its pace: the pace has doubled about once since what the signal shows was
 * admitted. Holding the pace there (before 2026-12-02) overshot the api by a third for 4–5 s in `rush`.
 * A signal under its target leaves it no lower than what the pipeline delivers at that moment: halving to
 * 40,000/min while it decided 69,000 idled it while the pace climbed back (ADR 012, amended the evening
 * of 2026-12-02). A host out of CPU does not: what is delivered then is all the host does, with the
 * people admitted during the lag still to come; leaving at what it delivered (168,000–212,000/min)
 * took `rush`'s p99 past a second, leaving at half kept it at 0.57–0.90 s (2026-12-03).
 */
export const SLOW_START_EXIT_FACTOR = 0.5;

/**
 * …or once less than this share of the leader's host CPU (or its container's quota) is idle. Where the
 * pipeline shares a host with the waiting room (a small deployment, the bench), a queue past the host's
 * capacity forms in the kernel's run queue, where no process counts it: the api's hold and the p99
 * showed it a second or two late, after the pace had doubled past the machine (issue 12). Where it does
 * not, this host is seldom busy and the other signals decide.
 */
export const SLOW_START_EXIT_IDLE_BELOW = 0.2;

/** A gap longer than this (a stall, a handover between leaders) counts as this much: no jump in one step. */
export const MAX_STEP_MS = 2_000;

/** Where an adaptive room never paced starts: the start pace, within [floor, ceiling]. */
export function startPace(ceilingPerMin: number, targets: PaceTargets): number {
  const ceiling = Math.max(0, ceilingPerMin);
  return Math.min(ceiling, Math.max(Math.min(targets.floorPerMin, ceiling), targets.startPerMin));
}

/** How much an adaptive pace grows per second under target, in people/min, from this pace. */
export function increasePerS(ratePerMin: number, targets: PaceTargets): number {
  return Math.max(targets.increasePerMinPerS, Math.max(0, ratePerMin) * targets.increaseShareOfPacePerS);
}

/**
 * Whether any signal is past `share` of its target (1: over it). A null signal says nothing. Nor does
 * the p99 while nothing is in flight (no backlog, and the api known to hold no submission): it covers
 * the last seconds, so right after a burst it still shows the burst's wait with the pipeline already
 * idle, and cutting then only slowed the rush down (issue 12: a cut 6 s after the opening, with backlog
 * and intake 0, set the pace to half of what was delivered, and it took 20 s to climb back).
 */
function past(signals: PaceSignals, targets: PaceTargets, share: number, holdShare = share): boolean {
  const { intake } = signals;
  const inFlight = signals.backlog > 0 || intake === null || intake.held !== 0;
  return (
    signals.backlog > targets.backlogTarget * share ||
    (inFlight && signals.p99Ms !== null && signals.p99Ms > targets.p99TargetMs * share) ||
    (intake !== null &&
      intake.held > targets.intakeTarget * share &&
      // A process that does not say how long it holds is judged by its count alone.
      (intake.holdMs === null || intake.holdMs > targets.intakeHoldTargetMs * holdShare))
  );
}

/**
 * Why slow start ends now, if it does: a signal half way to its target (`signal`), the api's hold
 * excepted: it has a floor of 100–180 ms at any load that matters (the group insert, its commit, the
 * admission check), near half its target, so at half slow start ended whenever about 850 students a
 * second came in, whatever the pipeline could take (at 34,000–67,000/min in 3 of 4 `rush` runs on
 * b3257de, the machine 40% idle); it must be over its whole target. Or the host out of CPU (`host`).
 */
function slowStartEnds(signals: PaceSignals, targets: PaceTargets): 'host' | 'signal' | null {
  const idle = signals.hostIdleShare;
  if (idle !== null && idle < SLOW_START_EXIT_IDLE_BELOW) return 'host';
  return past(signals, targets, SLOW_START_EXIT_SHARE, 1) ? 'signal' : null;
}

/**
 * The next pace. No state (a room never paced) starts at the start pace: opening at the operator's
 * ceiling let a whole crowd in within a tick or two, before any signal could show the pipeline was
 * swamped (ADR 012). Fixed mode is the ceiling, always.
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
  if (mode === 'fixed') {
    return {
      state: { ratePerMin: ceiling, updatedAtMs: nowMs, cutAtMs: state?.cutAtMs ?? null },
      step: 'pinned',
    };
  }
  if (state === null) {
    return {
      state: { ratePerMin: startPace(ceiling, targets), updatedAtMs: nowMs, cutAtMs: null },
      step: 'hold',
    };
  }
  const rate = clamp(state.ratePerMin);
  const hold = (cutAtMs: number | null) => ({
    state: { ratePerMin: rate, updatedAtMs: nowMs, cutAtMs },
    step: 'hold' as const,
  });
  if (past(signals, targets, 1)) {
    const mayCut = state.cutAtMs === null || nowMs - state.cutAtMs >= targets.cutIntervalMs;
    if (!mayCut) return hold(state.cutAtMs);
    const cut = clamp(Math.min(rate, Math.max(rate, signals.deliveredPerMin ?? 0) * targets.decreaseFactor));
    // Already at or under what the pipeline drains at: cutting further would only idle it.
    if (cut >= rate) return hold(state.cutAtMs ?? nowMs);
    return { state: { ratePerMin: cut, updatedAtMs: nowMs, cutAtMs: nowMs }, step: 'decrease' };
  }
  const ended = state.cutAtMs === null ? slowStartEnds(signals, targets) : null;
  if (ended !== null) {
    // The signals lag about one doubling: the pace is up to twice what they show, so it leaves at half of
    // itself (as TCP's slow start does) and climbs by its step from there; on a signal, not below what
    // the pipeline delivers, which it has shown it takes with every signal under its target.
    const half = rate * SLOW_START_EXIT_FACTOR;
    const left = clamp(
      ended === 'host' ? half : Math.min(rate, Math.max(half, signals.deliveredPerMin ?? 0)),
    );
    return {
      state: { ratePerMin: left, updatedAtMs: nowMs, cutAtMs: nowMs - targets.cutIntervalMs },
      step: left < rate ? 'decrease' : 'hold',
    };
  }
  if (!signals.admitting) return hold(state.cutAtMs);
  const elapsedMs = Math.min(MAX_STEP_MS, Math.max(0, nowMs - state.updatedAtMs));
  const next = clamp(
    state.cutAtMs === null
      ? rate * 2 ** (elapsedMs / targets.slowStartDoublingMs)
      : rate + (increasePerS(rate, targets) * elapsedMs) / 1_000,
  );
  return {
    state: { ratePerMin: next, updatedAtMs: nowMs, cutAtMs: state.cutAtMs },
    step: next > rate ? 'increase' : 'hold',
  };
}
