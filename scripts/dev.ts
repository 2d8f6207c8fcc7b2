import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `npm run dev`: the api, waiting room and worker from source, restarted on change, their logs
 * interleaved with a name in front. Ctrl-C stops all three.
 */
const root = path.resolve(import.meta.dirname, '..');
const apps = [
  ['api', 'api/src/main.ts'],
  ['waiting-room', 'waiting-room/src/main.ts'],
  ['worker', 'worker/src/main.ts'],
] as const;

const children: ChildProcess[] = apps.map(([name, entry]) => {
  const child = spawn(process.execPath, ['--import', 'tsx', '--watch', entry], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => console.log(`${name.padEnd(12)} | ${line}`));
  }
  return child;
});

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
