import { Gauge } from 'prom-client';
import { metricsRegistry } from './registry.js';

/** One BullMQ queue as the gauge sees it: its name and `getJobCounts()`. */
export interface CountedQueue {
  name: string;
  getJobCounts(): Promise<Record<string, number>>;
}

/** Scrapes within this long of the last count reuse it: several scrapers don't multiply the Redis work. */
const CACHE_MS = 1_000;

const sources = new Set<() => readonly CountedQueue[]>();
let cached: { atMs: number; counts: Promise<[string, Record<string, number>][]> } | undefined;

async function countAll(): Promise<[string, Record<string, number>][]> {
  const queues = [...sources].flatMap((s) => s());
  return Promise.all(
    queues.map(async (q): Promise<[string, Record<string, number>]> => [q.name, await q.getJobCounts()]),
  );
}

new Gauge({
  name: 'rushline_queue_jobs',
  help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed…), counted at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
  async collect() {
    const now = Date.now();
    if (!cached || now - cached.atMs >= CACHE_MS) cached = { atMs: now, counts: countAll() };
    const counts = await cached.counts.catch(() => {
      cached = undefined;
      return [];
    });
    this.reset();
    for (const [queue, byState] of counts)
      for (const [state, n] of Object.entries(byState)) this.labels(queue, state).set(n);
  },
});

/** Adds queues to count at each scrape (the list is read then, so queues opened later are included). */
export function countQueueJobs(source: () => readonly CountedQueue[]): () => void {
  sources.add(source);
  cached = undefined;
  return () => void sources.delete(source);
}
