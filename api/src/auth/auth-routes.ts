import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../../../core/http/validate.js';
import type { AuthService } from './auth-service.js';

const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
const refreshBody = z.object({ refreshToken: z.string().min(16).max(256) });

export function authRoutes(auth: AuthService): Router {
  const router = Router();
  router.post('/login', async (req, res) => {
    const body = parseInput(loginBody, req.body);
    res.json(await auth.login(body.username, body.password, req.ip ?? 'unknown'));
  });
  router.post('/refresh', async (req, res) => {
    const body = parseInput(refreshBody, req.body);
    res.json(await auth.refresh(body.refreshToken));
  });
  router.post('/logout', async (req, res) => {
    const body = parseInput(refreshBody, req.body);
    await auth.logout(body.refreshToken);
    res.status(204).end();
  });
  return router;
}
