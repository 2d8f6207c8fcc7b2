import { createRequire } from 'node:module';
import path from 'node:path';
import { Router } from 'express';
import type { OpenApiDocument } from '../../../core/openapi/openapi-document.js';

/** Swagger UI's files, served from node_modules: no CDN (the machines reach only npm). */
const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Only what the page loads: the package also holds a demo page pointed at an outside document. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js']);

/** The page: the bundle and its start-up script are files of this origin, so helmet's CSP (script-src 'self') holds. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rushline API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/api/docs/contrast.css">
</head>
<body>
<main id="swagger-ui" aria-label="Rushline API reference"></main>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/api/docs/start.js"></script>
</body>
</html>
`;

/**
 * Both documents (the api's, the waiting room's at /rooms/openapi.json behind the gateway), picked from
 * the top bar. No validator badge: it would send the document to an outside service.
 */
const START = `window.ui = SwaggerUIBundle({
  urls: [
    { url: '/api/openapi.json', name: 'Rushline api' },
    { url: '/rooms/openapi.json', name: 'Rushline waiting room' },
  ],
  'urls.primaryName': 'Rushline api',
  dom_id: '#swagger-ui',
  deepLinking: false,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
// Swagger UI leaves a few controls unnamed: name them as they appear (axe's select-name, and
// scrollable-region-focusable for the code samples, which scroll and so must take keyboard focus).
new MutationObserver(() => {
  for (const select of document.querySelectorAll('select:not([aria-label])')) {
    const row = select.closest('tr[data-param-name]');
    select.setAttribute('aria-label', row ? row.getAttribute('data-param-name') + ' value' : 'Choice');
  }
  for (const code of document.querySelectorAll('.microlight:not([tabindex])')) code.setAttribute('tabindex', '0');
}).observe(document.body, { childList: true, subtree: true });
`;

/**
 * Darker shades of Swagger UI's own colours where its text falls short of WCAG AA (4.5:1): the method
 * badges, version stamps, links, the Authorize button, parameter locations and the code samples.
 */
const CONTRAST = `.swagger-ui .opblock.opblock-get .opblock-summary .opblock-summary-method { background: #1c5d99; color: #fff; }
.swagger-ui .opblock.opblock-post .opblock-summary .opblock-summary-method { background: #1b6e46; color: #fff; }
.swagger-ui .opblock.opblock-put .opblock-summary .opblock-summary-method { background: #8a4b00; color: #fff; }
.swagger-ui .opblock.opblock-patch .opblock-summary .opblock-summary-method { background: #0f6b63; color: #fff; }
.swagger-ui .opblock.opblock-delete .opblock-summary .opblock-summary-method { background: #b42318; color: #fff; }
.swagger-ui .info .title small { background: #4b5563; }
.swagger-ui .info .title small.version-stamp { background: #1b6e46; }
.swagger-ui .info .url, .swagger-ui .info a { color: #1d4ed8; }
.swagger-ui .btn.authorize { color: #1b6e46; border-color: #1b6e46; }
.swagger-ui .btn.authorize svg { fill: #1b6e46; }
.swagger-ui .parameter__in, .swagger-ui .parameter__type { color: #4b5563; }
.swagger-ui .microlight, .swagger-ui .microlight span { color: #f5f5f5 !important; }
.swagger-ui .json-schema-2020-12-expand-deep-button { color: #4b5563; }
`;

/**
 * GET /api/openapi.json (the document, built once from the route tables) and GET /api/docs (Swagger UI).
 * Public like the catalogue: the document says what the api accepts, which every client can see anyway.
 */
export function openApiRoutes(document: () => OpenApiDocument): Router {
  const router = Router();
  let json: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    json ??= JSON.stringify(document());
    res.type('application/json').setHeader('Cache-Control', 'public, max-age=300');
    res.send(json);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').setHeader('Cache-Control', 'no-cache').send(PAGE);
  });
  router.get('/docs/contrast.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'no-cache').send(CONTRAST);
  });
  router.get('/docs/start.js', (_req, res) => {
    res.type('text/javascript').setHeader('Cache-Control', 'no-cache').send(START);
  });
  router.get('/docs/assets/:file', (req, res, next) => {
    if (!ASSETS.has(req.params.file)) {
      next();
      return;
    }
    res.sendFile(path.join(swaggerUiDir, req.params.file), { maxAge: '1h' });
  });
  return router;
}
