import { Counter } from 'prom-client';
import type { Logger } from '../logger.js';
import { metricsRegistry } from '../metrics/registry.js';
import type { FleetClaim } from './fleet-claim.js';

const runs = new Counter({
  name: 'rushline_periodic_runs_total',
  help: 'Runs of a periodic task (sweeps) by this process; with a fleet claim, one process runs each interval',
  labelNames: ['task'] as const,
  registers: [metricsRegistry],
});

/**
 * Runs `run` every `everyMs`, one run at a time (the next is scheduled when the last ends), logging
 * failures and carrying on. `stop` waits for the run in flight, so a shutdown never cuts one in half.
 *
 * With a fleet claim (ADR 024) the task wakes at each interval's start (wall clock, so every process of the
 * fleet wakes for the same interval number) and runs only if it claims the interval: once per interval in
 * the whole fleet, not once per process.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Intervals this process ran (with a claim) or runs (without), for /healthz. */
  readonly stats = { runs: 0, lastInterval: null as number | null };

  constructor(
    private readonly name: string,
    private readonly run: () => Promise<unknown>,
    private readonly everyMs: number,
    private readonly logger: Logger,
    private readonly claim?: FleetClaim,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    // With a claim: the next interval's start (a run longer than an interval skips the ones it covered).
    const delay = this.claim ? this.everyMs - (Date.now() % this.everyMs) : this.everyMs;
    this.timer = setTimeout(() => {
      this.running = this.once()
        .catch((err: unknown) => this.logger.error({ err }, `${this.name} failed`))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, delay);
  }

  private async once(): Promise<void> {
    // The interval this wake-up belongs to (timers can fire a millisecond early: round to the nearest start).
    const interval = Math.round(Date.now() / this.everyMs);
    if (this.claim && !(await this.claim(this.name, interval, this.everyMs))) return;
    this.stats.runs++;
    this.stats.lastInterval = interval;
    runs.inc({ task: this.name });
    if (this.claim) this.logger.info({ task: this.name, interval }, 'periodic run');
    await this.run();
  }
}
