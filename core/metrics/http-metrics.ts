import { Counter, Histogram } from 'prom-client';
import { metricsRegistry, recording } from './registry.js';

const requests = new Counter({
  name: 'rushline_http_requests_total',
  help: 'HTTP requests answered, by method, express route pattern (or "unmatched") and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

const duration = new Histogram({
  name: 'rushline_http_request_duration_seconds',
  help: 'Time from the request reaching the app to the last byte of its answer',
  labelNames: ['method', 'route', 'status'] as const,
  // The hot paths answer in milliseconds; the tail during a rush reaches seconds.
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const UNMATCHED_ROUTE = 'unmatched';

interface Bound {
  count: { inc(): void };
  time: { observe(seconds: number): void };
}

/**
 * The bound children per (method, route, status), in nested maps: after the first request of each kind an
 * observation is three Map lookups and two updates, with no label object or key string built per request
 * (prom-client's `labels()` hashes its arguments into a string on every call). Bounded: routes are the
 * app's patterns, statuses and methods a few.
 */
const bound = new Map<string, Map<string, Map<number, Bound>>>();

export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  if (!recording.on) return;
  let byRoute = bound.get(method);
  if (!byRoute) bound.set(method, (byRoute = new Map<string, Map<number, Bound>>()));
  let byStatus = byRoute.get(route);
  if (!byStatus) byRoute.set(route, (byStatus = new Map<number, Bound>()));
  let b = byStatus.get(status);
  if (!b) {
    const labels = { method, route, status: String(status) };
    b = { count: requests.labels(labels), time: duration.labels(labels) };
    byStatus.set(status, b);
  }
  b.count.inc();
  b.time.observe(seconds);
}
