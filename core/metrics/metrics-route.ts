import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Router, type Request } from 'express';
import { Gauge } from 'prom-client';
import type { Config } from '../config.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { metricsRegistry, startProcessMetrics, type MetricsApp } from './registry.js';

/** Whether this process would answer /readyz with 200 (its dependencies answer, it is not draining). */
export type ReadyProbe = () => Promise<boolean>;

let probe: ReadyProbe | undefined;

new Gauge({
  name: 'rushline_ready',
  help: '1 when this process would answer /readyz with 200',
  registers: [metricsRegistry],
  async collect() {
    this.set(probe && (await probe().catch(() => false)) ? 1 : 0);
  },
});

/** 127/8, ::1, 10/8, 172.16/12, 192.168/16, fc00::/7, fe80::/10, and IPv4 written as IPv6. */
export function isPrivateAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(a) === 4) {
    const [x = 0, y = 0] = a.split('.').map(Number);
    return x === 127 || x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168);
  }
  const lower = a.toLowerCase();
  return lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Who may read /metrics (ADR 016): a caller connected straight from a loopback or private address (the
 * socket's own peer, never X-Forwarded-For, and not relayed by the gateway, which always sets that header),
 * or anyone with `Authorization: Bearer <METRICS_TOKEN>` when that is configured.
 */
export function mayReadMetrics(req: Request, token: string | undefined): boolean {
  const auth = req.headers.authorization;
  if (token && auth?.startsWith('Bearer ') && sameSecret(auth.slice(7), token)) return true;
  return req.headers['x-forwarded-for'] === undefined && isPrivateAddress(req.socket.remoteAddress);
}

/**
 * `GET /metrics` in Prometheus's text format, for this process. Starts the process metrics (default
 * label `app`) and tells `rushline_ready` how to probe readiness.
 */
export function metricsRoutes(opts: {
  app: MetricsApp;
  cfg: Pick<Config, 'http'>;
  ready: ReadyProbe;
}): Router {
  startProcessMetrics(opts.app, opts.cfg.http.metrics);
  probe ??= opts.ready;
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (!opts.cfg.http.metrics)
      throw new NotFoundError('METRICS_DISABLED', 'Metrics are turned off (METRICS=false)');
    if (!mayReadMetrics(req, opts.cfg.http.metricsToken))
      throw new ForbiddenError('METRICS_FORBIDDEN', 'Metrics are only served inside the deployment');
    const body = await metricsRegistry.metrics();
    res.set('Content-Type', metricsRegistry.contentType).set('Cache-Control', 'no-store').send(body);
  });
  return router;
}
