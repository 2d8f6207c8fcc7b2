import { collectDefaultMetrics, Registry } from 'prom-client';

export type MetricsApp = 'api' | 'waiting-room' | 'worker';

/**
 * The process's one Prometheus registry: every Rushline family registers here when its module loads, so
 * a hook is a plain import and /metrics serialises one registry. One per process, as Prometheus scrapes
 * processes (tests that run several apps in one process see all their families under the first app's label).
 */
export const metricsRegistry = new Registry();

let started: MetricsApp | undefined;

/**
 * Whether hooks record (`METRICS=false` turns it off): each hook returns at once when off, so the
 * benchmarks can measure what recording costs against the same code without it.
 */
export const recording = { on: true };

/**
 * Labels every series with `app` and starts prom-client's default process and Node.js metrics (event-loop
 * lag, GC, heap, CPU, memory). Once per process; later calls (several apps in one test process) keep the first.
 */
export function startProcessMetrics(app: MetricsApp, enabled = true): void {
  if (started) return;
  started = app;
  if (!enabled) {
    recording.on = false;
    return;
  }
  metricsRegistry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: metricsRegistry });
}
