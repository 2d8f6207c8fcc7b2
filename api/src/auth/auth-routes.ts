import { Router } from 'express';
import { z } from 'zod';
import { limitPerAddress, type RateLimits } from '../../../core/http/rate-limit.js';
import { parseInput } from '../../../core/http/validate.js';
import type { AuthService } from './auth-service.js';

export const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export const refreshBody = z.object({ refreshToken: z.string().min(16).max(256) });

/** Sign-in has its own budgets (login-limiter.ts); refresh and logout, which have no user yet, one per address. */
export function authRoutes(auth: AuthService, limits: RateLimits): Router {
  const router = Router();
  router.post('/login', async (req, res) => {
    const body = parseInput(loginBody, req.body);
    res.json(await auth.login(body.username, body.password, req.ip ?? 'unknown'));
  });
  router.post('/refresh', limitPerAddress(limits, 'refresh'), async (req, res) => {
    const body = parseInput(refreshBody, req.body);
    res.json(await auth.refresh(body.refreshToken));
  });
  router.post('/logout', limitPerAddress(limits, 'logout'), async (req, res) => {
    const body = parseInput(refreshBody, req.body);
    await auth.logout(body.refreshToken);
    res.status(204).end();
  });
  return router;
}
