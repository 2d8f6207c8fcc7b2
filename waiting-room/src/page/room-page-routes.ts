import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';

/**
 * GET /rooms/:roomId/ (with the trailing slash) is the browser page; without it, JSON. The page learns
 * where the api is from a meta tag, so one build serves any deployment.
 */
export function roomPageRoutes(publicDir: string, apiPublicUrl: string): Router {
  const router = Router({ strict: true });
  let template: Promise<string> | undefined;
  router.get('/:roomId/', async (req, res, next) => {
    if (!/^\d{1,10}$/.test(req.params.roomId)) {
      next();
      return;
    }
    template ??= readFile(path.join(publicDir, 'room.html'), 'utf8');
    const html = (await template).replace('__API_URL__', escapeAttr(apiPublicUrl));
    res.type('html').setHeader('Cache-Control', 'no-store').send(html);
  });
  return router;
}

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
