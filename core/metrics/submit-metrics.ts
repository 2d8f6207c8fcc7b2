import { recording, stageHistogram } from './registry.js';

/**
 * Where a submission's time goes in the api, in order: checking what it names (`scope`), its admission
 * and allowance (`admission`, one Redis script), waiting for its room's group in front to be written
 * (`queued`), its group's rows written and read back (`insert`, MySQL) and its group's commit job added
 * (`enqueue`, Redis). Under a rush the answer's time is mostly waiting, not CPU: this says which wait.
 */
export const SUBMIT_STAGES = ['scope', 'admission', 'queued', 'insert', 'enqueue'] as const;
export type SubmitStage = (typeof SUBMIT_STAGES)[number];

const stageSeconds = stageHistogram(
  'rushline_submit_stage_seconds',
  "Time one submission spent in each stage of the api's submit path (a group's write counts for each of its submissions)",
  SUBMIT_STAGES,
);

export function observeSubmitStage(stage: SubmitStage, ms: number, times = 1): void {
  if (!recording.on) return;
  for (let i = 0; i < times; i++) stageSeconds.observe({ stage }, ms / 1000);
}
