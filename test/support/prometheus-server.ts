import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  prometheusArgs,
  RULE_FILES,
  writePrometheusConfig,
  type ScrapeOptions,
} from '../../scripts/services/prometheus.js';
import { which } from '../../scripts/services/system.js';
import { freePort } from './web-stack.js';

/** A real Prometheus (Debian's package) in a temp dir of its own, on a free loopback port. */
export interface TestPrometheus {
  url: string;
  /** GET /api/v1/<path>; throws unless Prometheus answers status "success". */
  api<T>(apiPath: string, params?: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

export interface PromVector {
  resultType: string;
  result: { metric: Record<string, string>; value: [number, string] }[];
}

export async function startTestPrometheus(
  targets: ScrapeOptions['targets'],
  opts: { bearerToken?: string } = {},
): Promise<TestPrometheus> {
  const binary = await which('prometheus');
  if (!binary) {
    throw new Error(
      "prometheus is missing: this test needs Debian's prometheus package (`apt-get install prometheus`, " +
        'or run `npm test`, which installs it via scripts/lib/ensure-prometheus.sh)',
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'rushline-prometheus-'));
  const layout = { configFile: path.join(dir, 'prometheus.yml'), dataDir: path.join(dir, 'data') };
  // Scraped and evaluated every second, so a short test sees many samples and evaluated rules.
  await writePrometheusConfig(layout.configFile, {
    targets,
    ruleFiles: RULE_FILES,
    intervalS: 1,
    ...(opts.bearerToken ? { bearerToken: opts.bearerToken } : {}),
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const proc: ChildProcess = spawn(binary, prometheusArgs(layout, port), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [proc.stdout, proc.stderr])
    s?.setEncoding('utf8').on('data', (c: string) => output.push(c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited:\n${output.join('')}`);
      const ready = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (i > 300) throw new Error(`prometheus not ready after 30 s:\n${output.join('')}`);
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url,
    api: async <T>(apiPath: string, params: Record<string, string> = {}) => {
      const res = await fetch(`${url}/api/v1/${apiPath}?${new URLSearchParams(params).toString()}`);
      const body = (await res.json()) as { status: string; data?: T; error?: string };
      if (body.status !== 'success' || body.data === undefined) {
        throw new Error(`${apiPath} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
      }
      return body.data;
    },
    stop,
  };
}
