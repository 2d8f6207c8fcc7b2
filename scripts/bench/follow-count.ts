/** A scenario's wait for a count to reach its goal: a progress bar, run checks, and noticing a stall. */
import { setTimeout as sleep } from 'node:timers/promises';
import { progress } from './bench-env.js';

/**
 * Polls `value` every 200 ms, with a bar, until it reaches `goal`. Between polls `check` runs (time limit,
 * Ctrl-C, processes alive: it throws to abort). When the value has not moved for `stallMs`, `onStall`
 * runs: it throws to abort, or returns to stop waiting. Resolves true when it stopped on a stall.
 */
export async function followCount(o: {
  label: string;
  goal: number;
  value: () => number | Promise<number>;
  stallMs: number;
  onStall: (value: number) => void;
  check: () => void;
  onTick?: () => void;
}): Promise<boolean> {
  const bar = progress(o.label, o.goal);
  let last = -1;
  let lastAt = Date.now();
  for (;;) {
    const v = await o.value();
    bar.tick(v);
    o.onTick?.();
    if (v >= o.goal) break;
    if (v !== last) [last, lastAt] = [v, Date.now()];
    if (Date.now() - lastAt > o.stallMs) {
      o.onStall(v);
      bar.end();
      return true;
    }
    o.check();
    await sleep(200);
  }
  bar.end();
  return false;
}
