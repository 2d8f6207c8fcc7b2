/** Small figure helpers the scenarios share, so every scenario computes a percentile the same way. */
import { round } from './bench-env.js';

/** The q-quantile of an ascending list (nearest rank, rounded down); NaN when empty. */
export const percentile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Adds one to a counter keyed by reason. */
export const bump = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);

/** Adds up counters keyed by reason across several reports. */
export function mergeCounts<R>(reports: R[], pick: (r: R) => Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(pick(r))) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** [p50, p99] of each list (sorted in place), rounded to 0.1. */
export function p50p99<K extends string>(parts: Record<K, number[]>): Record<K, [number, number]> {
  return Object.fromEntries(
    Object.entries<number[]>(parts).map(([k, xs]) => {
      xs.sort((a, b) => a - b);
      return [k, [round(percentile(xs, 0.5)), round(percentile(xs, 0.99))] as [number, number]];
    }),
  ) as Record<K, [number, number]>;
}

/** The middle value (the upper one of an even count), NaN for none. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
