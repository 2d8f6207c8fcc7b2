import { performance } from 'node:perf_hooks';
import { recording, stageHistogram } from './registry.js';

/**
 * The parts of one room's admission tick, in order: the plan (Redis), the inventory check, the commit
 * backlog (MySQL), the pace's signals, letting people in (holders, token signing, the commit to Redis,
 * the `admitted` pushes) and the tick's broadcast.
 */
export const ADMISSION_STAGES = ['plan', 'inventory', 'backlog', 'pace', 'admit', 'broadcast'] as const;
export type AdmissionStage = (typeof ADMISSION_STAGES)[number];

const stageSeconds = stageHistogram(
  'rushline_admission_stage_seconds',
  "Time one room's admission tick spent in each stage, on the process leading the room",
  ADMISSION_STAGES,
);

/**
 * Times the stages of one room's tick: `mark(stage)` ends the stage begun at the last mark. A tick that
 * stalls the admission leader (its passes are what pace the whole rush) shows which stage stalled it.
 */
export class AdmissionStageClock {
  private readonly startedAt = performance.now();
  private at = this.startedAt;
  private readonly spent = new Map<AdmissionStage, number>();

  mark(stage: AdmissionStage): void {
    const now = performance.now();
    this.spent.set(stage, (this.spent.get(stage) ?? 0) + (now - this.at));
    this.at = now;
  }

  /** Since the clock started, ms. */
  totalMs(): number {
    return this.at - this.startedAt;
  }

  /** Each stage's time, ms, rounded (for a log line). */
  stagesMs(): Partial<Record<AdmissionStage, number>> {
    return Object.fromEntries([...this.spent].map(([s, ms]) => [s, Math.round(ms)]));
  }

  record(): void {
    if (!recording.on) return;
    for (const [stage, ms] of this.spent) stageSeconds.labels(stage).observe(ms / 1000);
  }
}
