import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../core/config.js';
import { loadEnvFile } from '../core/env-file.js';
import { nginxBinary, prepareGateway } from './gateway/nginx-gateway.js';

/**
 * `npm run dev`: the api, waiting room and worker from source, restarted on change, the gateway (nginx)
 * in front of them, and Vite's dev server for the web app (it forwards /api, /rooms and /socket.io to the
 * gateway, so the app still sees one origin) — their logs interleaved with a name in front. Ctrl-C stops
 * them all.
 */
const root = path.resolve(import.meta.dirname, '..');
loadEnvFile(root);
const cfg = loadConfig();

const commands: [name: string, file: string, args: string[]][] = [
  ['api', process.execPath, ['--import', 'tsx', '--watch', 'api/src/main.ts']],
  ['waiting-room', process.execPath, ['--import', 'tsx', '--watch', 'waiting-room/src/main.ts']],
  ['worker', process.execPath, ['--import', 'tsx', '--watch', 'worker/src/main.ts']],
  [
    'gateway',
    nginxBinary(),
    await prepareGateway({
      dir: path.join(root, 'var', 'gateway-dev'),
      port: cfg.http.gatewayPort,
      apiUpstream: `127.0.0.1:${cfg.http.apiPort}`,
      waitingRoomUpstream: `127.0.0.1:${cfg.http.waitingRoomPort}`,
    }),
  ],
  [
    'web',
    process.execPath,
    [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '--config', 'web/vite.config.ts'],
  ],
];

const children: ChildProcess[] = commands.map(([name, file, args]) => {
  const child = spawn(file, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUSHLINE_GATEWAY_URL: `http://127.0.0.1:${cfg.http.gatewayPort}` },
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => console.log(`${name.padEnd(12)} | ${line}`));
  }
  return child;
});

const stop = () => {
  for (const child of children) child.kill(child.spawnfile === nginxBinary() ? 'SIGQUIT' : 'SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
