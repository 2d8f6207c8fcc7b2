import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Config } from '../core/config.js';
import { loadEnvFile } from '../core/env-file.js';
import { nginxBinary, prepareGateway, WEB_ROOT } from './gateway/nginx-gateway.js';

/**
 * Runs the three Rushline processes and the gateway (nginx: one origin for the browser) in the background
 * for the demo: `start` (restarts any that run), `stop`, `status`. Pid files and logs live in var/, so
 * every command here is safe to repeat. `start --scale api=2,waiting-room=2,worker=2` runs several of each
 * (ADR 024): the n-th (from 0) listens on its app's port + 10 × n, and the gateway spreads over them.
 */
const root = path.resolve(import.meta.dirname, '..');
const runDir = path.join(root, 'var', 'run');
const logDir = path.join(root, 'var', 'log');

type ScalableApp = 'api' | 'waiting-room' | 'worker';
const SCALABLE: readonly ScalableApp[] = ['api', 'waiting-room', 'worker'];
const MAX_SCALE = 9;
/** Instance n of an app listens on its port + PORT_STEP × n: apart from the other apps' ports (3000–3002). */
const PORT_STEP = 10;
type Scale = Record<ScalableApp, number>;

interface AppSpec {
  name: string;
  /** The command that runs it in the foreground (we detach it). */
  command: (cfg: Config, scale: Scale) => Promise<{ file: string; args: string[] }>;
  port: (cfg: Config) => number;
  /** The variable that sets its port, for the instances after the first (the gateway runs once). */
  portVar?: string;
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
    portVar: 'API_PORT',
    urls: (b) => [`${b}/readyz`],
    healthPath: '/healthz',
    stopSignal: 'SIGTERM',
  },
  {
    name: 'waiting-room',
    command: nodeApp('dist/waiting-room/src/main.js'),
    port: (c) => c.http.waitingRoomPort,
    portVar: 'WAITING_ROOM_PORT',
    urls: (b) => [`${b}/readyz`],
    healthPath: '/healthz',
    stopSignal: 'SIGTERM',
  },
  {
    name: 'worker',
    command: nodeApp('dist/worker/src/main.js'),
    port: (c) => c.http.workerPort,
    portVar: 'WORKER_PORT',
    urls: (b) => [`${b}/readyz`],
    healthPath: '/healthz',
    stopSignal: 'SIGTERM',
  },
  {
    name: 'gateway',
    command: async (cfg, scale) => {
      if (!existsSync(path.join(WEB_ROOT, 'index.html')))
        throw new Error('dist/web is missing: run npm run build first');
      const args = await prepareGateway({
        dir: path.join(root, 'var', 'gateway'),
        port: cfg.http.gatewayPort,
        apiUpstream: instancePorts(cfg.http.apiPort, scale.api).map((p) => `127.0.0.1:${p}`),
        waitingRoomUpstream: instancePorts(cfg.http.waitingRoomPort, scale['waiting-room']).map(
          (p) => `127.0.0.1:${p}`,
        ),
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

/** One running copy of an app: the first keeps the app's own name (and pid file), the others get -2, -3… */
interface Instance {
  app: AppSpec;
  name: string;
  port: number;
  env: Record<string, string>;
}

const instancePorts = (base: number, count: number) =>
  Array.from({ length: count }, (_, n) => base + PORT_STEP * n);

function instances(cfg: Config, scale: Scale): Instance[] {
  return APPS.flatMap((app) => {
    const count = SCALABLE.includes(app.name as ScalableApp) ? scale[app.name as ScalableApp] : 1;
    return instancePorts(app.port(cfg), count).map((port, n) => ({
      app,
      name: n === 0 ? app.name : `${app.name}-${n + 1}`,
      port,
      env: n > 0 && app.portVar ? { [app.portVar]: String(port) } : {},
    }));
  });
}

/** `--scale api=2,waiting-room=2,worker=2` (or `--scale=…`); apps left out run once. */
function parseScale(argv: readonly string[]): Scale {
  const scale: Scale = { api: 1, 'waiting-room': 1, worker: 1 };
  const at = argv.findIndex((a) => a === '--scale' || a.startsWith('--scale='));
  if (at < 0) return scale;
  const spec = argv[at]!.startsWith('--scale=') ? argv[at]!.slice('--scale='.length) : argv[at + 1];
  if (!spec) throw new Error('--scale needs a value such as api=2,waiting-room=2,worker=2');
  for (const part of spec.split(',')) {
    const [name, value] = part.split('=');
    if (!SCALABLE.includes(name as ScalableApp))
      throw new Error(`--scale: unknown app "${name}"; scale ${SCALABLE.join(', ')}`);
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SCALE)
      throw new Error(`--scale: ${name} needs a whole number from 1 to ${MAX_SCALE}, not "${value}"`);
    scale[name as ScalableApp] = n;
  }
  return scale;
}

const pidFile = (name: string) => path.join(runDir, `${name}.pid`);

function runningPid(name: string): number | undefined {
  if (!existsSync(pidFile(name))) return undefined;
  const pid = Number(readFileSync(pidFile(name), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Every instance of the app with a pid file, whatever scale started it. */
function recordedNames(app: AppSpec): string[] {
  if (!existsSync(runDir)) return [];
  const own = new RegExp(`^${app.name}(-\\d+)?\\.pid$`);
  return readdirSync(runDir)
    .filter((f) => own.test(f))
    .map((f) => f.slice(0, -'.pid'.length));
}

async function stopInstance(app: AppSpec, name: string): Promise<void> {
  const pid = runningPid(name);
  if (pid !== undefined) {
    process.kill(pid, app.stopSignal);
    for (let i = 0; i < 150 && runningPid(name) !== undefined; i++) await sleep(100);
    if (runningPid(name) !== undefined) process.kill(pid, 'SIGKILL');
    console.log(`stopped ${name} (pid ${pid})`);
  }
  rmSync(pidFile(name), { force: true });
}

async function stopApp(app: AppSpec): Promise<void> {
  for (const name of recordedNames(app)) await stopInstance(app, name);
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

async function startInstance(inst: Instance, cfg: Config, scale: Scale): Promise<void> {
  const { app, name } = inst;
  const { file, args } = await app.command(cfg, scale);
  const log = openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(file, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...inst.env },
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  writeFileSync(pidFile(name), String(child.pid));
  child.unref();
  const base = `http://127.0.0.1:${inst.port}`;
  if (!(await waitHealthy(`${base}${app.healthPath}`, 30_000))) {
    throw new Error(`${name} did not answer ${base}${app.healthPath} within 30 s; see var/log/${name}.log`);
  }
}

async function readiness(inst: Instance): Promise<string> {
  const probe = inst.app.name === 'gateway' ? inst.app.healthPath : '/readyz';
  try {
    const res = await fetch(`http://127.0.0.1:${inst.port}${probe}`, {
      signal: AbortSignal.timeout(3000),
    });
    const body = (await res.json()) as { status?: string; error?: { message?: string } };
    return res.ok ? 'ready' : (body.error?.message ?? `HTTP ${res.status}`);
  } catch {
    return 'not answering';
  }
}

/** The scale the recorded pid files show (for `status` after a scaled start). */
function recordedScale(): Scale {
  const scale: Scale = { api: 1, 'waiting-room': 1, worker: 1 };
  for (const app of APPS) {
    if (SCALABLE.includes(app.name as ScalableApp))
      scale[app.name as ScalableApp] = Math.max(1, recordedNames(app).length);
  }
  return scale;
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
  const scale = command === 'start' ? parseScale(process.argv.slice(3)) : recordedScale();
  const all = instances(cfg, scale);
  if (command === 'start') {
    // Whatever ran before (at any scale) stops first; then each instance starts and answers its health path.
    for (const app of APPS) await stopApp(app);
    for (const inst of all) await startInstance(inst, cfg, scale);
  } else if (command !== 'status') {
    throw new Error(`unknown command ${command}; use start, stop or status`);
  }
  console.log('');
  for (const inst of all) {
    const pid = runningPid(inst.name);
    const state = pid === undefined ? 'stopped' : `pid ${pid}, ${await readiness(inst)}`;
    const base = `http://${cfg.http.publicHost}:${inst.port}`;
    console.log(`${inst.name.padEnd(15)} ${state}`);
    if (pid !== undefined) for (const url of inst.app.urls(base)) console.log(`  ${url}`);
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
