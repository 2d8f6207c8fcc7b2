import express from 'express';
import { Redis } from 'ioredis';
import { closeServer } from '../../core/http/listen.js';
import { listenOnLoopback } from './baseline-listen.js';

/**
 * The join baseline: a bare express endpoint doing the same Redis work as a join (INCR + ZADD), with no
 * auth, validation, logging or security headers. Rushline's join is measured against it side by side.
 */
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = process.env.REDIS_PREFIX ?? 'baseline';
const app = express();
app.use(express.json());
app.post('/join/:user', async (req, res) => {
  const n = await redis.incr(`${prefix}:baseline:counter`);
  await redis.zadd(`${prefix}:baseline:queue`, n, req.params.user);
  res.json({ queueNumber: n });
});
const server = listenOnLoopback(app);
process.once('SIGTERM', () => {
  // Every listening socket, not only the http server's (ADR 029): one left open keeps the process alive.
  void closeServer(server).finally(() => redis.disconnect());
});
