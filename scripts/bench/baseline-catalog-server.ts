import { readFileSync } from 'node:fs';
import express from 'express';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { loadConfig } from '../../core/config.js';
import { closeServer } from '../../core/http/listen.js';
import { listenOnLoopback } from './baseline-listen.js';

/**
 * The `catalog` baseline: a bare express endpoint sending the api's two statements for a search (the
 * page of sections, then the meetings of the page's sections) straight through a mysql2 pool of the
 * same size, with the same parameters (captured from knex by the scenario), and answering the rows as
 * JSON with the same cursor. No validation, query building, security headers or logging.
 */
export interface BaselineSearch {
  sql: string;
  bindings: unknown[];
  limit: number;
}

interface SectionRow extends RowDataPacket {
  id: number;
  section_number: number;
  course_code: string;
}
interface MeetingRow extends RowDataPacket {
  section_id: number;
}

const searchesFile = process.env.BENCH_CATALOG_SEARCHES;
if (!searchesFile) throw new Error('BENCH_CATALOG_SEARCHES must name the searches file the scenario wrote');
const { meetingsSql, searches } = JSON.parse(readFileSync(searchesFile, 'utf8')) as {
  meetingsSql: string;
  searches: BaselineSearch[];
};
const cfg = loadConfig();
const url = new URL(cfg.db.url);
const pool = mysql.createPool({
  host: url.hostname,
  port: Number(url.port || 3306),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
  database: decodeURIComponent(url.pathname.slice(1)),
  connectionLimit: cfg.db.poolMax,
  timezone: 'Z',
  supportBigNumbers: true,
  bigNumberStrings: false,
  charset: 'utf8mb4',
});
const app = express();
app.get('/search/:i', async (req, res) => {
  const search = searches[Number(req.params.i) % searches.length] as BaselineSearch;
  const [rows] = await pool.query<SectionRow[]>(search.sql, search.bindings);
  const page = rows.slice(0, search.limit);
  const ids = page.map((r) => r.id);
  const byId = new Map<number, MeetingRow[]>(ids.map((id) => [id, []]));
  if (ids.length > 0) {
    const [meetings] = await pool.query<MeetingRow[]>(
      meetingsSql.replace('__IDS__', ids.map(() => '?').join(', ')),
      ids,
    );
    for (const m of meetings) byId.get(m.section_id)?.push(m);
  }
  const last = page.at(-1);
  res.json({
    sections: page.map((r) => ({ ...r, meetings: byId.get(r.id) })),
    nextCursor:
      rows.length > search.limit && last
        ? Buffer.from(JSON.stringify([last.course_code, last.section_number, last.id])).toString('base64url')
        : null,
  });
});
const server = listenOnLoopback(app);
process.once('SIGTERM', () => {
  void closeServer(server)
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
