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
  /** Batches processed, items in them, and time spent processing: batch size under load is the point. */
  readonly stats = { batches: 0, items: 0, busyMs: 0 };

  constructor(
    private readonly process: (items: I[]) => Promise<O[]>,
    private readonly opts: { maxBatch: number; maxWaitMs: number; concurrency?: number },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.opts.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.maxWaitMs);
    });
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running >= (this.opts.concurrency ?? 1) || this.pending.length === 0) return;
    this.running++;
    const batch = this.pending.splice(0, this.opts.maxBatch);
    const started = Date.now();
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
