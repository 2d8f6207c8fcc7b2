import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ServiceError } from './service-error.js';
import { runOrThrow, which } from './system.js';

/**
 * Starts a server without systemd (dev containers and CI have none). start-stop-daemon (from dpkg,
 * so on every Debian) refuses a second copy while the pid file's process lives; elsewhere we detach
 * with node and write the pid file ourselves.
 */
export interface DaemonSpec {
  readonly exec: string;
  readonly args: readonly string[];
  readonly pidFile: string;
  /** true: we detach it and write pidFile. false: it forks itself and writes pidFile (redis --daemonize yes). */
  readonly background: boolean;
  /** Output of a process we detach ourselves, for the case where the server fails before opening its log. */
  readonly outputFile: string;
  /** user:group to run as (needs root); unset keeps the current user. */
  readonly chuid?: string;
}

export async function startDaemon(spec: DaemonSpec): Promise<void> {
  const ssd = await which('start-stop-daemon');
  if (ssd) {
    await runOrThrow(ssd, [
      '--start',
      '--oknodo',
      '--pidfile',
      spec.pidFile,
      ...(spec.background ? ['--background', '--make-pidfile', '--output', spec.outputFile] : []),
      ...(spec.chuid ? ['--chuid', spec.chuid] : []),
      '--exec',
      spec.exec,
      '--',
      ...spec.args,
    ]);
    return;
  }
  if (spec.chuid) throw new ServiceError(`start-stop-daemon is needed to run ${spec.exec} as ${spec.chuid}`);
  const out = openSync(spec.outputFile, 'a');
  try {
    const child = spawn(spec.exec, spec.args, { detached: true, stdio: ['ignore', out, out] });
    if (spec.background) {
      if (child.pid === undefined) throw new ServiceError(`could not start ${spec.exec}`);
      await writeFile(spec.pidFile, `${child.pid}\n`);
      child.unref();
      return;
    }
    // A self-daemonizing server's first process exits once the daemon is forked.
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new ServiceError(`${spec.exec} exited with ${code}; see ${spec.outputFile}`);
  } finally {
    closeSync(out);
  }
}
