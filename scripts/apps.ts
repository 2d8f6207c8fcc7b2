import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from '../core/config.js';
import { loadEnvFile } from '../core/env-file.js';
import { nginxBinary, prepareGateway, WEB_ROOT } from './gateway/nginx-gateway.js';

/**
 * Runs the three Rushline processes and the gateway (nginx: one origin for the browser) in the background
 * for the demo: `start` (restarts any that run), `stop`, `status`. Pid files and logs live in var/, so
 * every command here is safe to repeat.
 */
const root = path.resolve(import.meta.dirname, '..');
const runDir = path.join(root, 'var', 'run');
const logDir = path.join(root, 'var', 'log');

interface AppSpec {
  name: string;
  /** The command that runs it in the foreground (we detach it). */
  command: (cfg: Config) => Promise<{ file: string; args: string[] }>;
  port: (cfg: Config) => number;
  urls: (base: string) => string[];
  healthPath: string;
  /** The signal that stops it gracefully. */
  stopSignal: NodeJS.Signals;
}

const nodeApp = (entry: string) => () => {
  if (!existsSync(path.join(root, entry))) throw new Error(`${entry} is missing: run npm run build first`);
  return Promise.resolve({ file: process.execPath, args: ['--enable-source-maps', entry] });
};

const APPS: AppSpec[] = [
  {
    name: 'api',
    command: nodeApp('dist/api/src/main.js'),
    port: (c) => c.http.apiPort,
    urls: (b) => [`${b}/readyz`],
    healthPath: '/healthz',
    stopSignal: 'SIGTERM',
  },
  {
    name: 'waiting-room',
    command: nodeApp('dist/waiting-room/src/main.js'),
    port: (c) => c.http.waitingRoomPort,
    urls: (b) => [`${b}/readyz`],
    healthPath: '/healthz',
    stopSignal: 'SIGTERM',
  },
  {
    name: 'worker',
    command: nodeApp('dist/worker/src/main.js'),
    port: (c) => c.http.workerPort,
    urls: (b) => [`${b}/readyz`],
    healthPath: '/healthz',
    stopSignal: 'SIGTERM',
  },
  {
    name: 'gateway',
    command: async (cfg) => {
      if (!existsSync(path.join(WEB_ROOT, 'index.html')))
        throw new Error('dist/web is missing: run npm run build first');
      const args = await prepareGateway({
        dir: path.join(root, 'var', 'gateway'),
        port: cfg.http.gatewayPort,
        apiUpstream: `127.0.0.1:${cfg.http.apiPort}`,
        waitingRoomUpstream: `127.0.0.1:${cfg.http.waitingRoomPort}`,
      });
      return { file: nginxBinary(), args };
    },
    port: (c) => c.http.gatewayPort,
    urls: (b) => [`${b}/`],
    healthPath: '/gateway/healthz',
    // nginx's graceful stop: finish open requests, then exit.
    stopSignal: 'SIGQUIT',
  },
];

const pidFile = (app: AppSpec) => path.join(runDir, `${app.name}.pid`);

function runningPid(app: AppSpec): number | undefined {
  if (!existsSync(pidFile(app))) return undefined;
  const pid = Number(readFileSync(pidFile(app), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function stopApp(app: AppSpec): Promise<void> {
  const pid = runningPid(app);
  if (pid !== undefined) {
    process.kill(pid, app.stopSignal);
    for (let i = 0; i < 150 && runningPid(app) !== undefined; i++) await sleep(100);
    if (runningPid(app) !== undefined) process.kill(pid, 'SIGKILL');
    console.log(`stopped ${app.name} (pid ${pid})`);
  }
  rmSync(pidFile(app), { force: true });
}

async function waitHealthy(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return false;
}

async function startApp(app: AppSpec, cfg: Config): Promise<void> {
  await stopApp(app);
  const { file, args } = await app.command(cfg);
  const log = openSync(path.join(logDir, `${app.name}.log`), 'a');
  const child = spawn(file, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  if (child.pid === undefined) throw new Error(`could not start ${app.name}`);
  writeFileSync(pidFile(app), String(child.pid));
  child.unref();
  const base = `http://127.0.0.1:${app.port(cfg)}`;
  if (!(await waitHealthy(`${base}${app.healthPath}`, 30_000))) {
    throw new Error(
      `${app.name} did not answer ${base}${app.healthPath} within 30 s; see var/log/${app.name}.log`,
    );
  }
}

async function readiness(app: AppSpec, cfg: Config): Promise<string> {
  const probe = app.name === 'gateway' ? app.healthPath : '/readyz';
  try {
    const res = await fetch(`http://127.0.0.1:${app.port(cfg)}${probe}`, {
      signal: AbortSignal.timeout(3000),
    });
    const body = (await res.json()) as { status?: string; error?: { message?: string } };
    return res.ok ? 'ready' : (body.error?.message ?? `HTTP ${res.status}`);
  } catch {
    return 'not answering';
  }
}

async function main(): Promise<void> {
  loadEnvFile(root);
  const cfg = loadConfig();
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const command = process.argv[2] ?? 'status';
  if (command === 'stop') {
    for (const app of APPS) await stopApp(app);
    return;
  }
  if (command === 'start') {
    for (const app of APPS) await startApp(app, cfg);
  } else if (command !== 'status') {
    throw new Error(`unknown command ${command}; use start, stop or status`);
  }
  console.log('');
  for (const app of APPS) {
    const pid = runningPid(app);
    const state = pid === undefined ? 'stopped' : `pid ${pid}, ${await readiness(app, cfg)}`;
    const base = `http://${cfg.http.publicHost}:${app.port(cfg)}`;
    console.log(`${app.name.padEnd(13)} ${state}`);
    if (pid !== undefined) for (const url of app.urls(base)) console.log(`  ${url}`);
  }
  if (command === 'start') {
    console.log(`\nOpen http://${cfg.http.publicHost}:${cfg.http.gatewayPort}/ in a browser.`);
    console.log('Logs in var/log/. Stop with: npm run stop');
  }
}

main().catch((err: unknown) => {
  console.error(`apps: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
