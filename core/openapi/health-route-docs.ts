import { z } from 'zod';
import { errorResponse, type RouteDoc } from './route-doc.js';

const check = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/** The OpenAPI rows of core/http/health.ts and core/metrics/metrics-route.ts, which every process mounts at its root. */
export const healthRouteDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/healthz',
    tag: 'health',
    summary: 'The process is alive (what it is doing may be added, e.g. whether it leads admission)',
    security: 'public',
    responses: {
      200: {
        description: 'Alive',
        schema: z.looseObject({
          status: z.literal('ok'),
          service: z.string(),
          pid: z.number().int(),
          uptimeS: z.number().int(),
        }),
      },
    },
  },
  {
    method: 'GET',
    path: '/readyz',
    tag: 'health',
    summary: 'Every dependency answers (503 names the ones that do not)',
    security: 'public',
    responses: {
      200: {
        description: 'Ready',
        schema: z.object({
          status: z.literal('ready'),
          service: z.string(),
          checks: z.record(z.string(), check),
        }),
      },
      503: {
        description: 'Not ready',
        schema: z.object({
          status: z.literal('unavailable'),
          service: z.string(),
          checks: z.record(z.string(), check),
          error: z.object({
            code: z.literal('NOT_READY'),
            message: z.string(),
            details: z.object({ failing: z.array(z.string()) }),
          }),
        }),
      },
    },
  },

  {
    method: 'GET',
    path: '/metrics',
    tag: 'health',
    summary: "This process's Prometheus metrics (text format)",
    security: 'metrics',
    responses: {
      200: { description: 'The metrics', contentType: 'text/plain' },
      403: errorResponse('Not from inside the deployment, and no METRICS_TOKEN'),
    },
  },
];
