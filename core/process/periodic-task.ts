import type { Logger } from '../logger.js';

/**
 * Runs `run` every `everyMs`, one run at a time (the next is scheduled when the last ends), logging
 * failures and carrying on. `stop` waits for the run in flight, so a shutdown never cuts one in half.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly run: () => Promise<unknown>,
    private readonly everyMs: number,
    private readonly logger: Logger,
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
    this.timer = setTimeout(() => {
      this.running = this.run()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.error({ err }, `${this.name} failed`))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.everyMs);
  }
}
