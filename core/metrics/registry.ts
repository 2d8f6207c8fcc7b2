import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

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

/**
 * A histogram of the time spent in each stage of one piece of work (an admission tick, a submission),
 * labelled `stage`, in seconds from 1 ms to 5 s, with every stage's series present at 0 from the start
 * so a dashboard finds them before the first observation.
 */
export function stageHistogram(name: string, help: string, stages: readonly string[]): Histogram<'stage'> {
  const histogram = new Histogram({
    name,
    help,
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  });
  for (const stage of stages) histogram.zero({ stage });
  return histogram;
}
