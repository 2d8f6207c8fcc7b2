import express from 'express';
import { loadConfig } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { closeServer } from '../../core/http/listen.js';
import { listenOnLoopback } from './baseline-listen.js';

/**
 * The `rush` baseline: the design of the background documents. One express endpoint, one transaction
 * per HTTP request, run while the client waits: lock the cart's sections FOR UPDATE in id order, take
 * a seat in each that has one, insert the enrollments, count them, commit. No queue, no batching, no
 * retry: a deadlock, a lock-wait timeout or a pool timeout is the client's error. No auth either (it
 * only flatters the baseline). Pool size is DATABASE_POOL_MAX, as for Rushline's processes.
 */
const cfg = loadConfig();
const db = createDb(cfg);
const app = express();
app.use(express.json());

interface Section {
  id: number;
  term_id: number;
  course_id: number;
  capacity: number;
  enrolled: number;
}

app.post('/enroll', async (req, res) => {
  const { userId, sectionIds } = req.body as { userId: number; sectionIds: number[] };
  const ids = [...sectionIds].sort((a, b) => a - b);
  try {
    const granted = await db.transaction(async (trx) => {
      const sections = await trx('sections')
        .whereIn('id', ids)
        .orderBy('id')
        .forUpdate()
        .select<Section[]>('id', 'term_id', 'course_id', 'capacity', 'enrolled');
      const open = sections.filter((s) => s.enrolled < s.capacity);
      if (open.length > 0) {
        await trx('enrollments').insert(
          open.map((s) => ({
            user_id: userId,
            section_id: s.id,
            course_id: s.course_id,
            term_id: s.term_id,
          })),
        );
        await trx('sections')
          .whereIn(
            'id',
            open.map((s) => s.id),
          )
          .increment('enrolled', 1);
      }
      return open.map((s) => s.id);
    });
    const code =
      granted.length === ids.length
        ? 'ENROLLED'
        : granted.length === 0
          ? 'SECTION_FULL'
          : 'PARTIALLY_ENROLLED';
    res.json({ code, granted });
  } catch (err) {
    const e = err as { code?: unknown; name?: unknown };
    const code =
      e.code === 'ER_LOCK_DEADLOCK'
        ? 'DEADLOCK'
        : e.code === 'ER_LOCK_WAIT_TIMEOUT'
          ? 'LOCK_WAIT_TIMEOUT'
          : e.name === 'KnexTimeoutError'
            ? 'POOL_TIMEOUT'
            : 'INTERNAL';
    res.status(code === 'INTERNAL' ? 500 : 503).json({ error: { code, message: String(err) } });
  }
});

const server = listenOnLoopback(app);
process.once('SIGTERM', () => {
  void closeServer(server)
    .then(() => db.destroy())
    .finally(() => process.exit(0));
});
