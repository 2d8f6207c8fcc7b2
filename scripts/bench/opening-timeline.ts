import { percentile } from './stats.js';

/**
 * The rush's first seconds, second by second: how many students the clients heard admitted (and so
 * submitted), how many the api answered 202, how many heard their outcome, and how many sat at the api
 * (submitted, not yet answered) or behind it (answered, no outcome yet) at the end of each second. The
 * first tenth admitted carries the rush's p99 (issue 12): this shows whether they wait at the api or in
 * the pipeline behind it, and how far admissions ran ahead of what was answered.
 */
export interface OpeningTimeline {
  /** Seconds after the opening that the arrays cover, one entry per second. */
  seconds: number;
  submitted: number[];
  accepted: number[];
  decided: number[];
  /** Submitted and not yet answered, at the end of each second. */
  at_api: number[];
  /** Answered (202) and no outcome heard yet, at the end of each second. */
  behind_api: number[];
  /**
   * Of the submissions made in each second: p99 ms from submit to a socket of the client's pool (its own
   * queue; a new connection's socket comes before it connects) and p50 and p99 ms from submit to the 202
   * (null: none made that second).
   */
  p99_socket_ms: (number | null)[];
  p50_accepted_ms: (number | null)[];
  p99_accepted_ms: (number | null)[];
  /**
   * The longest any load-generating process's event loop was held up in each second, ms: its stamps
   * (submitted, accepted, decided) are late by up to that much.
   */
  client_stall_ms: number[];
}

/** One submission as a client saw it: when it was made (epoch ms), and ms to a socket and to the 202. */
export interface SubmitSeen {
  at: number;
  socketMs?: number;
  acceptedMs?: number;
}

/** Counts per second since `openedAt` of each series of epoch-ms moments, over the first `seconds`. */
export function openingTimeline(
  openedAt: number,
  moments: {
    submitted: SubmitSeen[];
    accepted: number[];
    decided: number[];
    /** [epoch s, ms] from each client process. */
    clientStalls?: [number, number][];
  },
  seconds: number,
): OpeningTimeline {
  // Before the opening (a clock step between processes) counts in the first second.
  const secondOf = (t: number) => Math.max(0, Math.floor((t - openedAt) / 1_000));
  const perSecond = (at: number[]) => {
    const counts = new Array<number>(seconds).fill(0);
    for (const t of at) {
      const s = secondOf(t);
      if (s < seconds) counts[s]! += 1;
    }
    return counts;
  };
  const quantilePerSecond = (q: number, pick: (x: SubmitSeen) => number | undefined) => {
    const bySecond = Array.from({ length: seconds }, (): number[] => []);
    for (const x of moments.submitted) {
      const v = pick(x);
      const s = secondOf(x.at);
      if (v !== undefined && s < seconds) bySecond[s]!.push(v);
    }
    return bySecond.map((xs) => {
      if (xs.length === 0) return null;
      xs.sort((a, b) => a - b);
      return Math.round(percentile(xs, q));
    });
  };
  const submitted = perSecond(moments.submitted.map((x) => x.at));
  const stalls = new Array<number>(seconds).fill(0);
  for (const [epochS, ms] of moments.clientStalls ?? []) {
    // An epoch second overlaps the opening's seconds k and k + 1 unless the opening fell on a whole second.
    const s = Math.floor((epochS * 1_000 - openedAt) / 1_000);
    for (const k of [s, s + 1]) if (k >= 0 && k < seconds) stalls[k] = Math.max(stalls[k]!, ms);
  }
  const accepted = perSecond(moments.accepted);
  const decided = perSecond(moments.decided);
  const running = (xs: number[]) => {
    let total = 0;
    return xs.map((x) => (total += x));
  };
  const [sSum, aSum, dSum] = [running(submitted), running(accepted), running(decided)];
  return {
    seconds,
    submitted,
    accepted,
    decided,
    at_api: sSum.map((s, i) => s - aSum[i]!),
    behind_api: aSum.map((a, i) => a - dSum[i]!),
    p99_socket_ms: quantilePerSecond(0.99, (x) => x.socketMs),
    p50_accepted_ms: quantilePerSecond(0.5, (x) => x.acceptedMs),
    p99_accepted_ms: quantilePerSecond(0.99, (x) => x.acceptedMs),
    client_stall_ms: stalls,
  };
}
