import { Router } from 'express';

/** A readiness probe: resolves when the dependency answers, rejects (or times out) when it doesn't. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

// This process's own state, so module-wide: once it is stopping, no balancer should pick it.
let draining = false;

/** Called on a stop signal: from now on /readyz answers 503, while requests in flight still finish. */
export function startDraining(): void {
  draining = true;
}

async function runCheck(check: ReadinessCheck): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** What /readyz would answer, as a boolean: every check passes and the process is not draining (rushline_ready). */
export async function isReady(checks: Record<string, ReadinessCheck>): Promise<boolean> {
  if (draining) return false;
  const results = await Promise.all(Object.values(checks).map(runCheck));
  return results.every((r) => r.ok);
}

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers, else 503 naming the failing ones;
 * 503 as well from the moment the process starts shutting down (ADR 014).
 */
export function healthRouter(
  service: string,
  checks: Record<string, ReadinessCheck>,
  details?: () => Record<string, unknown>,
): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({
      status: 'ok',
      service,
      pid: process.pid,
      uptimeS: Math.round(process.uptime()),
      ...details?.(),
    });
  });
  router.get('/readyz', async (_req, res) => {
    if (draining) {
      res.status(503).json({
        status: 'stopping',
        service,
        error: { code: 'SHUTTING_DOWN', message: 'This process is shutting down; use another' },
      });
      return;
    }
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name] as ReadinessCheck)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const failing = names.filter((_, i) => !results[i]?.ok);
    if (failing.length === 0) {
      res.json({ status: 'ready', service, checks: report });
      return;
    }
    res.status(503).json({
      status: 'unavailable',
      service,
      checks: report,
      error: {
        code: 'NOT_READY',
        message: `Not ready: ${failing.join(', ')} not answering`,
        details: { failing },
      },
    });
  });
  return router;
}
