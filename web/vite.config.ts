import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app builds into dist/web, which the gateway (nginx) serves at `/`. During `vite` development the
 * dev server forwards the api, the waiting room and its socket to the gateway, so the app sees one origin.
 */
export default defineConfig({
  root,
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The budget is checked by scripts/web-size.ts after the build, on gzipped bytes; the manifest tells it
    // which chunks only the staff console loads.
    chunkSizeWarningLimit: 400,
    manifest: true,
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/rooms', '/operator', '/admin', '/socket.io'].map((p) => [
        p,
        { target: process.env.RUSHLINE_GATEWAY_URL ?? 'http://127.0.0.1:8080', ws: p === '/socket.io' },
      ]),
    ),
  },
});
