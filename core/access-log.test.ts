import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { accessStream, createAccessLineWriter } from './access-log.js';
import { cachedIsoTime } from './log-time.js';

/**
 * The lines in `file` once `count` are there (the writer flushes at least every 250 ms). The stream opens
 * its file asynchronously: on a busy machine it may not exist at the first look.
 */
async function linesOf(file: string, count: number): Promise<string[]> {
  let lines: string[] = [];
  for (let i = 0; i < 100; i++) {
    lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length >= count) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return lines;
}

describe('access lines', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rushline-access-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are the JSON pino writes for the same fields, key for key, in the same order', async () => {
    const rawFile = path.join(dir, 'raw.log');
    const pinoFile = path.join(dir, 'pino.log');
    const raw = accessStream(rawFile);
    const viaPino = pino.destination({ dest: pinoFile, sync: true });
    try {
      const write = createAccessLineWriter('api', raw);
      const logger = pino({ base: { service: 'api', pid: process.pid }, timestamp: cachedIsoTime }, viaPino);
      // A route that needs escaping, an error line, a line without a user, a fraction of a millisecond.
      const cases = [
        ['info', 'b1c2d3e4-aaaa-bbbb-cccc-0123456789ab', 'POST', '/rooms/:roomId/join', 202, 1.3, 42],
        ['error', 'trace-7', 'GET', '/odd/"quoted"\\path', 500, 0.1, undefined],
        ['info', 'x.Y_z-1', 'DELETE', 'unmatched', 404, 12, 0],
      ] as const;
      for (const [level, reqId, method, route, status, ms, userId] of cases) {
        write(level, reqId, method, route, status, ms, userId);
        logger[level]({ reqId, method, route, status, ms, userId }, 'request');
      }
      // Not flushed by hand: the stream's own timer writes them out.
      const rawLines = await linesOf(rawFile, cases.length);
      const pinoLines = await linesOf(pinoFile, cases.length);
      expect(rawLines).to.have.length(cases.length);
      // Identical once the time (taken a moment apart) is set aside.
      const withoutTime = (line: string) => line.replace(/"time":"[^"]+"/, '"time":""');
      expect(rawLines.map(withoutTime)).to.deep.equal(pinoLines.map(withoutTime));
      for (const line of rawLines) {
        const parsed = JSON.parse(line) as { time: string };
        expect(new Date(parsed.time).toISOString(), 'an ISO instant').to.equal(parsed.time);
      }
    } finally {
      // Each stream closes its own file, its flush timer with it.
      for (const stream of [raw, viaPino]) {
        const closed = once(stream, 'close');
        stream.end();
        await closed;
      }
    }
  });

  it('name the time to the millisecond, as toISOString does', () => {
    const realNow = Date.now;
    try {
      // Within one second the prefix is kept; the milliseconds are padded.
      for (const at of [
        Date.UTC(2026, 11, 1, 11, 20, 3, 7),
        Date.UTC(2026, 11, 1, 11, 20, 3, 45),
        1_764_000_000_999,
      ]) {
        Date.now = () => at;
        expect(cachedIsoTime()).to.equal(`,"time":"${new Date(at).toISOString()}"`);
      }
    } finally {
      Date.now = realNow;
    }
  });
});
