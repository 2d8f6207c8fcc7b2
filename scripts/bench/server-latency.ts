/**
 * A route's answer time as the server saw it, read from its Prometheus histogram
 * (`rushline_http_request_duration_seconds`): beside the clients' own submit → 202 it tells time spent in
 * the server from time spent before it (the load generator's socket pool, the network, the accept queue).
 * Quantiles are the upper bound of the bucket they fall in, so coarse (the buckets are in core/metrics).
 */
export interface ServerLatency {
  requests: number;
  /** Null: past the largest finite bucket (10 s). */
  p50_ms_at_most: number | null;
  p99_ms_at_most: number | null;
}

export function latencyFromMetrics(text: string, method: string, route: string): ServerLatency | null {
  const q = histogramQuantiles(text, 'rushline_http_request_duration_seconds', { method, route });
  return q && { requests: q.count, p50_ms_at_most: q.p50_ms_at_most, p99_ms_at_most: q.p99_ms_at_most };
}

/** A histogram's count and the buckets its p50 and p99 fall in (ms; null past the largest finite bucket). */
export interface HistogramQuantiles {
  count: number;
  p50_ms_at_most: number | null;
  p99_ms_at_most: number | null;
}

/**
 * The quantiles of one histogram (seconds) from a /metrics page, over every series whose labels include
 * `match` (summed: buckets are cumulative counts, so their sum over series stays cumulative).
 */
export function histogramQuantiles(
  text: string,
  name: string,
  match: Record<string, string>,
): HistogramQuantiles | null {
  const buckets = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const m = /^[^{]+\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    if (labels.le === undefined || Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  if (buckets.size === 0) return null;
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)![1];
  const at = (q: number) => {
    const hit = sorted.find(([, n]) => n >= q * total);
    return hit === undefined || !Number.isFinite(hit[0]) ? null : hit[0] * 1000;
  };
  return { count: total, p50_ms_at_most: at(0.5), p99_ms_at_most: at(0.99) };
}

/** Every process's /metrics page, or null when metrics are off or any process is unreadable. */
export async function metricsPages(urls: readonly string[]): Promise<string | null> {
  try {
    const texts = await Promise.all(
      urls.map(async (url) => {
        const res = await fetch(`${url}/metrics`);
        if (!res.ok) throw new Error(`${url}/metrics: ${res.status}`);
        return res.text();
      }),
    );
    return texts.join('\n');
  } catch {
    return null;
  }
}

/** The api's histogram for a route, summed over its processes; null when metrics are off or unreadable. */
export async function serverLatency(
  urls: readonly string[],
  method: string,
  route: string,
): Promise<ServerLatency | null> {
  const text = await metricsPages(urls);
  return text === null ? null : latencyFromMetrics(text, method, route);
}

/** A process's event loop over the run: how long it was held up (timer delay) and how long GC took. */
export interface LoopFigures {
  /**
   * Node's event-loop delay, ms. prom-client resets it at every scrape, and the bench scrapes every 15 s
   * as Prometheus would: p99 is the worst of the scrape intervals' p99s (the last one read at the end),
   * max the longest delay of the run.
   */
  lag_p99_ms: number;
  lag_max_ms: number;
  gc_ms: Record<string, number>;
}

/** The delay figures of one /metrics page, ms. */
export function loopLagOf(text: string): { p99Ms: number; maxMs: number } {
  const lag = (name: string) => Math.round(sampleSum(text, name, {}) * 1000);
  return { p99Ms: lag('nodejs_eventloop_lag_p99_seconds'), maxMs: lag('nodejs_eventloop_lag_max_seconds') };
}

/** The worst loop delay each process showed at the scrapes so far, by its URL. */
export class LoopLagMemory {
  private readonly worst = new Map<string, { p99Ms: number; maxMs: number }>();

  note(url: string, text: string): void {
    const now = loopLagOf(text);
    const was = this.worst.get(url);
    this.worst.set(url, {
      p99Ms: Math.max(now.p99Ms, was?.p99Ms ?? 0),
      maxMs: Math.max(now.maxMs, was?.maxMs ?? 0),
    });
  }

  of(url: string): { p99Ms: number; maxMs: number } | undefined {
    return this.worst.get(url);
  }
}

/**
 * Each process's loop figures (prom-client's default metrics), in the order of `urls`; null when off.
 * `earlier` holds what the periodic scrapes saw, which prom-client forgot when they read it.
 */
export async function loopFigures(
  urls: readonly string[],
  earlier?: LoopLagMemory,
): Promise<(LoopFigures | null)[]> {
  return Promise.all(
    urls.map(async (url) => {
      const text = await metricsPages([url]);
      if (text === null) return null;
      earlier?.note(url, text);
      const lag = earlier?.of(url) ?? loopLagOf(text);
      const gc: Record<string, number> = {};
      for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
        const ms = Math.round(sampleSum(text, 'nodejs_gc_duration_seconds_sum', { kind }) * 1000);
        if (ms > 0) gc[kind] = ms;
      }
      return { lag_p99_ms: lag.p99Ms, lag_max_ms: lag.maxMs, gc_ms: gc };
    }),
  );
}

/** The sum of a family's samples whose labels include `match`. */
export function sampleSum(text: string, name: string, match: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const m = /^[^{ ]+(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    if (Object.entries(match).some(([k, v]) => labels[k] !== v)) continue;
    sum += Number(m[2]);
  }
  return sum;
}
