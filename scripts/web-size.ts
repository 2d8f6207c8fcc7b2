import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Run by the build: the gzipped weight of what a browser downloads, against the budgets. The web app's
 * JavaScript (every chunk, lazy ones too) stays under 150 KB; the waiting-room page, the one page under
 * the full rush, under 30 KB with the socket.io client it loads. Over budget fails the build.
 */
const root = path.resolve(import.meta.dirname, '..');
const KB = 1024;

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

function measure(files: string[]): number {
  return files.reduce((sum, f) => sum + gz(f), 0);
}

const assets = path.join(root, 'dist', 'web', 'assets');
const appJs = readdirSync(assets)
  .filter((f) => f.endsWith('.js'))
  .map((f) => path.join(assets, f));
const appCss = readdirSync(assets)
  .filter((f) => f.endsWith('.css'))
  .map((f) => path.join(assets, f));
const roomDir = path.join(root, 'waiting-room', 'public');
const roomFiles = ['room.html', 'room.js', 'room.css'].map((f) => path.join(roomDir, f));
const socketClient = path.join(root, 'node_modules', 'socket.io', 'client-dist', 'socket.io.esm.min.js');

const rows = [
  { what: 'web app JavaScript', bytes: measure(appJs), budget: 150 * KB },
  { what: 'web app CSS', bytes: measure(appCss), budget: undefined },
  { what: 'waiting-room page (html, js, css)', bytes: measure(roomFiles), budget: undefined },
  {
    what: 'waiting-room page with the socket.io client',
    bytes: measure([...roomFiles, socketClient]),
    budget: 30 * KB,
  },
];

let over = false;
for (const r of rows) {
  const within = r.budget === undefined || r.bytes <= r.budget;
  over ||= !within;
  const budget = r.budget === undefined ? '' : ` (budget ${r.budget / KB} KB${within ? '' : ', OVER'})`;
  console.log(`${r.what.padEnd(45)} ${(r.bytes / KB).toFixed(1).padStart(6)} KB gzipped${budget}`);
}
if (over) {
  console.error('web-size: over budget');
  process.exit(1);
}
