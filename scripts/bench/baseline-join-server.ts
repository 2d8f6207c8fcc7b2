import express from 'express';
import { Redis } from 'ioredis';

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
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(
    JSON.stringify({
      port: typeof address === 'object' && address ? address.port : 0,
      msg: 'baseline listening',
    }),
  );
});
process.once('SIGTERM', () => {
  server.close();
  redis.disconnect();
});
