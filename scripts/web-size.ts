import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Run by the build: the gzipped weight of what a browser downloads, against the budgets. What a student or
 * buyer can load (every chunk reachable from the entry, lazy ones too, except those behind a staff page)
 * stays under 150 KB; the staff console's own chunks under 70 KB; the waiting-room page, the one page under
 * the full rush, under 30 KB with the socket.io client it loads. Over budget fails the build.
 */
const root = path.resolve(import.meta.dirname, '..');
const KB = 1024;

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

function measure(files: string[]): number {
  return files.reduce((sum, f) => sum + gz(f), 0);
}

const web = path.join(root, 'dist', 'web');
const assets = path.join(web, 'assets');
const appJs = readdirSync(assets)
  .filter((f) => f.endsWith('.js'))
  .map((f) => path.join(assets, f));

/** Vite's build manifest: one entry per chunk, with the chunks it imports eagerly and lazily. */
interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
const manifest = JSON.parse(readFileSync(path.join(web, '.vite', 'manifest.json'), 'utf8')) as Record<
  string,
  ManifestChunk
>;

/** The chunks reachable from the entry without entering a staff page (or the staff console's words). */
function publicChunks(): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const k of chunk.imports ?? []) visit(k);
    for (const k of chunk.dynamicImports ?? []) if (!k.startsWith('src/staff/')) visit(k);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return seen;
}
const reachable = publicChunks();
const isPublic = (file: string) => reachable.has(path.relative(web, file));
const publicJs = appJs.filter(isPublic);
const staffJs = appJs.filter((f) => !isPublic(f));
const appCss = readdirSync(assets)
  .filter((f) => f.endsWith('.css'))
  .map((f) => path.join(assets, f));
const roomDir = path.join(root, 'waiting-room', 'public');
const roomFiles = ['room.html', 'room.js', 'room.css'].map((f) => path.join(roomDir, f));
const socketClient = path.join(root, 'node_modules', 'socket.io', 'client-dist', 'socket.io.esm.min.js');

const rows = [
  { what: 'web app JavaScript for students and buyers', bytes: measure(publicJs), budget: 150 * KB },
  { what: 'staff console JavaScript (loaded by staff only)', bytes: measure(staffJs), budget: 70 * KB },
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
  console.log(`${r.what.padEnd(50)} ${(r.bytes / KB).toFixed(1).padStart(6)} KB gzipped${budget}`);
}
if (over) {
  console.error('web-size: over budget');
  process.exit(1);
}
