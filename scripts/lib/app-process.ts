import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface AppProcess {
  name: string;
  proc: ChildProcess;
  port: number;
  url: string;
  logs: string[];
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process gets no chance to clean up. */
  kill(): Promise<void>;
}

/**
 * Runs one Rushline app as a real child process from source, on a free port, with the test run's
 * database and Redis prefix. Resolves once it logs that it listens.
 */
export function startAppProcess(
  name: 'api' | 'waiting-room' | 'worker',
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const portVar = { api: 'API_PORT', 'waiting-room': 'WAITING_ROOM_PORT', worker: 'WORKER_PORT' }[name];
  return startProcess(name, path.join(root, name, 'src', 'main.ts'), { [portVar]: '0', ...env });
}

/**
 * Runs any TypeScript entry that logs a JSON line with `"port":<n>` and "listening" once it listens
 * (the apps through pino; benchmark baselines with console.log).
 */
export async function startProcess(
  name: string,
  entry: string,
  env: Record<string, string> = {},
  opts: { startTimeoutMs?: number } = {},
): Promise<AppProcess> {
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  // BENCH_CPU_PROF=<dir>: every process started here writes a CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start in ${startTimeoutMs} ms:\n${logs.join('\n')}`)),
      startTimeoutMs,
    );
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        const m = /"port":(\d+).*listening/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    name,
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    logs,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
