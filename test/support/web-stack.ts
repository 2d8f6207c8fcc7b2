import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAppProcess, type AppProcess } from '../../scripts/lib/app-process.js';
import { startGateway, WEB_ROOT, type RunningGateway } from '../../scripts/gateway/nginx-gateway.js';

/**
 * The whole product as a browser meets it: the api, the waiting room and a worker as real processes (the
 * run's database and Redis prefix), behind the real gateway (nginx) serving the built web app, on one
 * origin. Browser journeys run against `url`.
 */
export interface WebStack {
  url: string;
  api: AppProcess;
  waitingRoom: AppProcess;
  worker: AppProcess;
  gateway: RunningGateway;
  stop(): Promise<void>;
}

/** Builds the web app once per run when dist/web is missing (scripts/test.sh builds it before mocha). */
export function ensureWebBuilt(): void {
  if (existsSync(path.join(WEB_ROOT, 'index.html'))) return;
  execFileSync('npm', ['run', '--silent', 'build:web'], {
    cwd: path.resolve(import.meta.dirname, '..', '..'),
    stdio: 'inherit',
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startWebStack(env: Record<string, string> = {}): Promise<WebStack> {
  ensureWebBuilt();
  // The page and the app reach the api on their own origin, through the gateway.
  const common = { API_PUBLIC_URL: '', ROOM_SYNC_MS: '200', TRUST_PROXY: 'loopback', ...env };
  const started: { stop(): Promise<unknown> }[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'rushline-gateway-'));
  try {
    const api = await startAppProcess('api', common);
    started.push(api);
    const waitingRoom = await startAppProcess('waiting-room', common);
    started.push(waitingRoom);
    const worker = await startAppProcess('worker', common);
    started.push(worker);
    const gateway = await startGateway({
      dir,
      host: '127.0.0.1',
      port: await freePort(),
      apiUpstream: `127.0.0.1:${api.port}`,
      waitingRoomUpstream: `127.0.0.1:${waitingRoom.port}`,
    });
    started.push(gateway);
    return {
      url: gateway.url,
      api,
      waitingRoom,
      worker,
      gateway,
      stop: async () => {
        for (const s of started.reverse()) await s.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
