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
  const buckets = new Map<number, number>();
  const pattern = /^rushline_http_request_duration_seconds_bucket\{([^}]*)\} (\d+(?:\.\d+)?)$/;
  for (const line of text.split('\n')) {
    const m = pattern.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    if (labels.method !== method || labels.route !== route || labels.le === undefined) continue;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    // Bucket counts are cumulative per status: summed over statuses they stay cumulative.
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  if (buckets.size === 0) return null;
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)![1];
  const at = (q: number) => {
    const hit = sorted.find(([, n]) => n >= q * total);
    return hit === undefined || !Number.isFinite(hit[0]) ? null : hit[0] * 1000;
  };
  return { requests: total, p50_ms_at_most: at(0.5), p99_ms_at_most: at(0.99) };
}

/**
 * The api's histogram for a route, fetched from each process's /metrics and summed (buckets are counts);
 * null when metrics are off or any process is unreadable.
 */
export async function serverLatency(
  urls: readonly string[],
  method: string,
  route: string,
): Promise<ServerLatency | null> {
  try {
    const texts = await Promise.all(
      urls.map(async (url) => {
        const res = await fetch(`${url}/metrics`);
        if (!res.ok) throw new Error(`${url}/metrics: ${res.status}`);
        return res.text();
      }),
    );
    return latencyFromMetrics(texts.join('\n'), method, route);
  } catch {
    return null;
  }
}
