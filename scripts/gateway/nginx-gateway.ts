import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The gateway: Debian's nginx in front of the apps, so a browser sees one origin for the web app, the api
 * and the waiting room (as docker-compose's nginx service does, from the same template). Run without
 * systemd or the package's own configuration: everything lives in a directory of ours.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
export const GATEWAY_TEMPLATE = path.join(root, 'deploy', 'nginx', 'rushline.conf.template');
export const WEB_ROOT = path.join(root, 'dist', 'web');

export interface GatewayOptions {
  /** Where the configuration, pid file, logs and temp files go. */
  dir: string;
  port: number;
  host?: string;
  /** host:port of the api, or of each api process (`--scale`, ADR 024): nginx spreads requests over them. */
  apiUpstream: string | readonly string[];
  waitingRoomUpstream: string | readonly string[];
  webRoot?: string;
}

/**
 * Fills the template's ${RUSHLINE_*} as docker's nginx image does with envsubst. A line naming an upstream
 * given as several addresses is repeated once per address (one `server` line each), so the template stays
 * the one docker-compose fills with a single address.
 */
export function renderServerConfig(opts: GatewayOptions): string {
  const values: Record<string, string | readonly string[]> = {
    RUSHLINE_API_UPSTREAM: opts.apiUpstream,
    RUSHLINE_WAITING_ROOM_UPSTREAM: opts.waitingRoomUpstream,
    RUSHLINE_GATEWAY_LISTEN: `${opts.host ?? '0.0.0.0'}:${opts.port}`,
    RUSHLINE_WEB_ROOT: opts.webRoot ?? WEB_ROOT,
  };
  const pattern = /\$\{(RUSHLINE_[A-Z_]+)\}/g;
  const valueOf = (whole: string, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`gateway template: unknown ${whole}`);
    return value;
  };
  return readFileSync(GATEWAY_TEMPLATE, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const lists = [...line.matchAll(pattern)]
        .map((m) => valueOf(m[0], m[1]!))
        .filter((v) => typeof v !== 'string');
      if (lists.length > 1) throw new Error(`gateway template: two lists on one line: ${line}`);
      const items = lists[0] ?? [''];
      if (items.length === 0) throw new Error(`gateway template: no address for ${line.trim()}`);
      return items.map((item) =>
        line.replace(pattern, (whole, name: string) => {
          const value = valueOf(whole, name);
          return typeof value === 'string' ? value : item;
        }),
      );
    })
    .join('\n');
}

function mainConfig(opts: GatewayOptions): string {
  const d = opts.dir;
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  return [
    '# Written by scripts/gateway/nginx-gateway.ts; edit deploy/nginx/rushline.conf.template instead.',
    // One worker: on a 2-core machine the apps need the other core more than nginx does.
    'worker_processes 1;',
    `pid ${d}/nginx.pid;`,
    `error_log ${d}/error.log warn;`,
    'events { worker_connections 16384; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  access_log off;',
    '  sendfile on;',
    ...temp.map((t) => `  ${t}_temp_path ${d}/tmp/${t};`),
    `  include ${d}/rushline.conf;`,
    '}',
    '',
  ].join('\n');
}

export function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    "nginx is missing: the gateway needs Debian's nginx package (`apt-get install nginx`, or run `bash scripts/up.sh`, which installs it)",
  );
}

/** Writes the configuration and checks it with `nginx -t`; returns the arguments that run it in the foreground. */
export async function prepareGateway(opts: GatewayOptions): Promise<string[]> {
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    const dir = path.join(opts.dir, 'tmp', t);
    mkdirSync(dir, { recursive: true });
    // nginx's workers run as an unprivileged user when the master is root; they buffer bodies here.
    chmodSync(dir, 0o777);
  }
  writeFileSync(path.join(opts.dir, 'rushline.conf'), renderServerConfig(opts));
  writeFileSync(path.join(opts.dir, 'nginx.conf'), mainConfig(opts));
  const args = [
    '-p',
    opts.dir,
    '-e',
    path.join(opts.dir, 'error.log'),
    '-c',
    path.join(opts.dir, 'nginx.conf'),
  ];
  await run(nginxBinary(), [...args, '-t', '-q']);
  return [...args, '-g', 'daemon off;'];
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.trim()}`)),
    );
  });
}

/** Waits until the gateway answers its own health path. */
export async function waitForGateway(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/gateway/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the gateway at ${url} did not answer within ${timeoutMs} ms`);
}

export interface RunningGateway {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Runs the gateway as a child of this process (tests, benchmarks); stop() ends it. */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const args = await prepareGateway(opts);
  const proc = spawn(nginxBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await Promise.race([
      waitForGateway(url),
      exited.then(() => {
        throw new Error(`nginx exited at start; see ${opts.dir}/error.log`);
      }),
    ]);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    proc,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // SIGQUIT: nginx's graceful stop (finishes open requests).
      proc.kill('SIGQUIT');
      await Promise.race([exited, sleep(5000).then(() => proc.kill('SIGKILL'))]);
    },
  };
}
