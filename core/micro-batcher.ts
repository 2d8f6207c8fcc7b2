import { performance } from 'node:perf_hooks';

export interface MicroBatcherOptions {
  maxBatch: number;
  /** How long a lone item waits for company when the batcher was idle. */
  maxWaitMs: number;
  /** Batches in flight at once (default one). */
  concurrency?: number;
  /**
   * A batch starts no sooner than this after the previous one began, unless a full batch waits (default
   * 0). When arrivals are spread out (every 10–20 ms, say) each would otherwise be a batch of one paying a
   * batch's whole fixed cost; spaced, they gather. A lone item after a quiet spell still goes at once.
   */
  spacingMs?: number;
}

/**
 * Gathers concurrent submissions into batches: whatever arrives while a batch is being processed forms
 * the next one. Under a rush batches grow by themselves; when idle, a lone item goes out at once (after
 * at most `maxWaitMs`). At most `concurrency` batches at a time (default one): a second lets the next
 * batch do its reading and wait for a hot row's lock while the first one commits and reports.
 */
export class MicroBatcher<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastStartedAt = -Infinity;
  /** Batches processed, items in them, and time spent processing: batch size under load is the point. */
  readonly stats = { batches: 0, items: 0, busyMs: 0 };

  constructor(
    private readonly process: (items: I[]) => Promise<O[]>,
    private readonly opts: MicroBatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.opts.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), Math.max(this.opts.maxWaitMs, this.spacingLeft()));
    });
  }

  /** How long until the spacing lets the next batch start (0 if it already does). */
  private spacingLeft(): number {
    return Math.max(0, this.lastStartedAt + (this.opts.spacingMs ?? 0) - performance.now());
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running >= (this.opts.concurrency ?? 1) || this.pending.length === 0) return;
    const wait = this.pending.length < this.opts.maxBatch ? this.spacingLeft() : 0;
    if (wait > 0) {
      this.timer = setTimeout(() => this.kick(), wait);
      return;
    }
    this.running++;
    const batch = this.pending.splice(0, this.opts.maxBatch);
    const started = Date.now();
    this.lastStartedAt = performance.now();
    this.stats.batches++;
    this.stats.items += batch.length;
    this.process(batch.map((b) => b.item))
      .then(
        (outs) => batch.forEach((b, i) => b.resolve(outs[i] as O)),
        (err: unknown) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        this.stats.busyMs += Date.now() - started;
        this.running--;
        if (this.pending.length > 0) this.kick();
      });
  }
}
