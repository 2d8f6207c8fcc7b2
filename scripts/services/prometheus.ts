import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { aptInstall } from './apt.js';
import { startDaemon } from './daemon.js';
import type { ServicePaths } from './paths.js';
import { ServiceError } from './service-error.js';
import { isAlive, isRoot, readPid, run, runOrThrow, sleep, tail, which } from './system.js';

/**
 * A local Prometheus for Rushline's metrics (docs/adr/020-dashboards-and-queue-board.md): Debian's package,
 * started without systemd on loopback, scraping the three apps with the repository's alert rules.
 */

/** The repository's alert rules, loaded by every Prometheus that scrapes Rushline (local, compose, tests). */
export const RULES_DIR = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'prometheus', 'rules');
export const RULE_FILES = ['rushline-alerts.yml'].map((file) => path.join(RULES_DIR, file));

/** One scrape job per app, named like the app, so `up{job="worker"}` says which process is down. */
export type AppJob = 'api' | 'waiting-room' | 'worker';
export const APP_JOBS: readonly AppJob[] = ['api', 'waiting-room', 'worker'];

export interface ScrapeOptions {
  /** host:port of each app's HTTP listener, per job. */
  readonly targets: Readonly<Record<AppJob, readonly string[]>>;
  readonly ruleFiles: readonly string[];
  /** Seconds between scrapes and rule evaluations (15 in production; tests use 1). */
  readonly intervalS: number;
  /** Sent as `Authorization: Bearer …` when the apps' /metrics asks for a credential. */
  readonly bearerToken?: string;
}

/** A prometheus.yml as an object; JSON is valid YAML, so it is written with JSON.stringify. */
export function prometheusConfig(o: ScrapeOptions): Record<string, unknown> {
  return {
    global: { scrape_interval: `${o.intervalS}s`, evaluation_interval: `${o.intervalS}s` },
    rule_files: [...o.ruleFiles],
    scrape_configs: APP_JOBS.map((job) => ({
      job_name: job,
      metrics_path: '/metrics',
      ...(o.bearerToken ? { authorization: { type: 'Bearer', credentials: o.bearerToken } } : {}),
      static_configs: [{ targets: [...o.targets[job]] }],
    })),
  };
}

export async function writePrometheusConfig(file: string, o: ScrapeOptions): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(prometheusConfig(o), null, 2)}\n`, { mode: 0o600 });
}

/** The server binary, installed from Debian's `prometheus` package when missing. */
export async function installPrometheusIfMissing(log: (line: string) => void): Promise<string> {
  const found = await which('prometheus');
  if (found) return found;
  await aptInstall(['prometheus'], log);
  const installed = await which('prometheus');
  if (!installed) throw new ServiceError('prometheus installed but not found on PATH');
  return installed;
}

export interface PrometheusLayout {
  readonly dir: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly pidFile: string;
  readonly logFile: string;
}

/** One directory per port, like Redis: two Prometheus servers never share a TSDB. */
export function prometheusLayout(port: number, paths: ServicePaths): PrometheusLayout {
  const dir = path.join(paths.data, `prometheus-${port}`);
  return {
    dir,
    configFile: path.join(dir, 'prometheus.yml'),
    dataDir: path.join(dir, 'data'),
    pidFile: path.join(paths.run, `prometheus-${port}.pid`),
    logFile: path.join(paths.log, `prometheus-${port}.log`),
  };
}

/** Command-line flags of a Prometheus on loopback only: its UI and API have no authentication. */
export function prometheusArgs(
  layout: Pick<PrometheusLayout, 'configFile' | 'dataDir'>,
  port: number,
): string[] {
  return [
    `--config.file=${layout.configFile}`,
    `--storage.tsdb.path=${layout.dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=15d',
  ];
}

export async function startPrometheus(
  binary: string,
  port: number,
  layout: PrometheusLayout,
  paths: ServicePaths,
  log: (line: string) => void,
): Promise<void> {
  await mkdir(layout.dataDir, { recursive: true });
  await mkdir(paths.log, { recursive: true });
  await mkdir(paths.run, { recursive: true });
  await writeFile(layout.logFile, '', { flag: 'a' });
  const stalePid = await readPid(layout.pidFile);
  if (stalePid !== undefined && !isAlive(stalePid)) await rm(layout.pidFile, { force: true });
  // Root gives it to the packaged prometheus user, as Redis to redis (ADR 001).
  const runAsPrometheus = isRoot() && (await run('id', ['-u', 'prometheus'])).code === 0;
  if (runAsPrometheus) await runOrThrow('chown', ['-R', 'prometheus:prometheus', layout.dir, layout.logFile]);
  log(`… starting Prometheus on 127.0.0.1:${port} (log: ${layout.logFile})`);
  await startDaemon({
    exec: binary,
    args: prometheusArgs(layout, port),
    pidFile: layout.pidFile,
    background: true,
    outputFile: layout.logFile,
    ...(runAsPrometheus ? { chuid: 'prometheus:prometheus' } : {}),
  });
}

/** True once Prometheus has loaded its configuration and answers queries. */
export async function prometheusReady(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Why Prometheus will never answer (its process is gone), or undefined while it may still come up. */
export async function prometheusGaveUp(layout: PrometheusLayout): Promise<string | undefined> {
  const pid = await readPid(layout.pidFile);
  if (pid === undefined || isAlive(pid)) return undefined;
  return `prometheus exited during start-up; last lines of ${layout.logFile}:\n${await tail(layout.logFile)}`;
}

export interface EnsurePrometheusOptions {
  readonly port: number;
  readonly targets: ScrapeOptions['targets'];
  readonly bearerToken?: string;
  readonly paths: ServicePaths;
  readonly log: (line: string) => void;
  readonly waitMs: number;
}

/**
 * Writes the scrape configuration and makes sure a Prometheus answers on 127.0.0.1:<port>: installs and
 * starts one when nothing answers; one we started before re-reads the configuration (SIGHUP).
 */
export async function ensurePrometheus(o: EnsurePrometheusOptions): Promise<void> {
  const layout = prometheusLayout(o.port, o.paths);
  // Copies of the rules beside the configuration: the prometheus user may not read the checkout (/root/…).
  const rulesDir = path.join(layout.dir, 'rules');
  await mkdir(rulesDir, { recursive: true });
  const ruleFiles = await Promise.all(
    RULE_FILES.map(async (file) => {
      const copy = path.join(rulesDir, path.basename(file));
      await copyFile(file, copy);
      return copy;
    }),
  );
  await writePrometheusConfig(layout.configFile, {
    targets: o.targets,
    ruleFiles,
    intervalS: 15,
    ...(o.bearerToken ? { bearerToken: o.bearerToken } : {}),
  });
  if (await prometheusReady(o.port)) {
    const pid = await readPid(layout.pidFile);
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGHUP');
      o.log(`✔ Prometheus answers on 127.0.0.1:${o.port} and re-read ${layout.configFile}`);
    } else {
      o.log(
        `✔ a Prometheus we did not start answers on 127.0.0.1:${o.port}; Rushline's scrape configuration is ${layout.configFile}`,
      );
    }
    return;
  }
  const binary = await installPrometheusIfMissing(o.log);
  await startPrometheus(binary, o.port, layout, o.paths, o.log);
  const deadline = Date.now() + o.waitMs;
  while (!(await prometheusReady(o.port))) {
    const reason = await prometheusGaveUp(layout);
    if (reason) throw new ServiceError(reason);
    if (Date.now() >= deadline) {
      throw new ServiceError(
        `Prometheus was started but does not answer on 127.0.0.1:${o.port} (waited ${o.waitMs / 1000} s); ` +
          `look at ${layout.logFile}`,
      );
    }
    await sleep(250);
  }
  o.log(`✔ Prometheus on http://127.0.0.1:${o.port} scrapes the api, the waiting room and the worker`);
}
