import { Router } from 'express';

/** A readiness probe: resolves when the dependency answers, rejects (or times out) when it doesn't. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2_000;

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

/** `/healthz`: the process is alive. `/readyz`: every dependency answers, else 503 naming the failing ones. */
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
