import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { commitQueueName } from '../../core/queues.js';
import { redisKeys } from '../../core/redis-keys.js';
import { requestIdsOf, type CommitJobData } from '../../core/requests/request-types.js';

/**
 * The hot-row baseline: a plain BullMQ worker committing each request in its own transaction
 * (lock the section FOR UPDATE, check, insert, count, record the outcome), the design of the
 * background documents. Consumes the queue of BASELINE_ROOM_ID.
 */
const cfg = loadConfig();
const db = createDb(cfg, { poolMax: 16 });
const connection = new Redis(cfg.redis.url, { maxRetriesPerRequest: null });
const roomId = Number(process.env.BASELINE_ROOM_ID);

const worker = new Worker<CommitJobData>(
  commitQueueName(roomId),
  async (job) => {
    await db.transaction(async (trx) => {
      const request = await trx('requests')
        .where({ id: requestIdsOf(job.data)[0], status: 'queued' })
        .first()
        .forUpdate();
      if (!request) return;
      const payload = (
        typeof request.payload === 'string' ? JSON.parse(request.payload) : request.payload
      ) as {
        sectionIds: number[];
      };
      const sectionId = payload.sectionIds[0] as number;
      const section = await trx('sections').where({ id: sectionId }).first().forUpdate();
      const full = section.enrolled >= section.capacity;
      if (!full) {
        await trx('enrollments').insert({
          user_id: request.user_id,
          section_id: sectionId,
          course_id: section.course_id,
          term_id: section.term_id,
          request_id: request.id,
        });
        await trx('sections').where({ id: sectionId }).increment('enrolled', 1);
      }
      await trx('requests')
        .where({ id: request.id })
        .update({
          status: full ? 'rejected' : 'committed',
          outcome_code: full ? 'SECTION_FULL' : 'ENROLLED',
          completed_at: new Date(),
        });
    });
  },
  { connection, prefix: redisKeys(cfg.redis.prefix).commitQueuePrefix(roomId), concurrency: 16 },
);
worker.on('ready', () => console.log(JSON.stringify({ port: 0, msg: 'baseline worker listening' })));
process.once('SIGTERM', () => {
  void worker.close().then(() => Promise.allSettled([db.destroy(), connection.quit()]));
});
