import { execFile } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { testConfig } from '../test/support/test-config.js';
import { formatProbe, probeMysql, probeRedis } from './services.js';
import { grantSql } from './services/mariadb.js';
import { mysqlVersionProblem, redactUrl } from './services/probe.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A port nothing listens on: bind to 0, read the port the kernel chose, close. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function withUrl(raw: string, change: (url: URL) => void): string {
  const url = new URL(raw);
  change(url);
  return url.toString();
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as CI does, with only the URLs overridden; resolves whatever the exit code. */
function runCheck(env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/services.ts', '--check'],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('services probe', () => {
  it('reports ok and the version when MySQL answers', async () => {
    const result = await probeMysql(testConfig().db.url);
    expect(result, formatProbe(result)).to.include({ service: 'MySQL', status: 'ok' });
    expect(result.version).to.match(/^\d+\.\d+\.\d+/);
  });

  it('reports MySQL unreachable when nothing listens on the port', async () => {
    for (const port of [1, await freePort()]) {
      const url = withUrl(testConfig().db.url, (u) => (u.port = String(port)));
      const result = await probeMysql(url);
      expect(result.status, formatProbe(result)).to.equal('unreachable');
      expect(result.detail).to.equal('connection refused');
      expect(result.address).to.equal(`127.0.0.1:${port}`);
    }
  });

  it('reports access denied, not unreachable, when the MySQL password is wrong', async () => {
    const url = withUrl(testConfig().db.url, (u) => (u.password = 'not-the-password'));
    const result = await probeMysql(url);
    expect(result.status).to.equal('denied');
    expect(result.detail).to.match(/access denied/i);
    expect(formatProbe(result)).to.match(/^✘ MySQL at .+: Access denied/);
  });

  it('reports ok and the version when Redis answers', async () => {
    const result = await probeRedis(testConfig().redis.url);
    expect(result, formatProbe(result)).to.include({ service: 'Redis', status: 'ok' });
    expect(result.version).to.match(/^\d+\.\d+\.\d+/);
    expect(formatProbe(result)).to.equal(`✔ Redis ${result.version} at ${result.address}`);
  });

  it('reports Redis unreachable when nothing listens on the port', async () => {
    const port = await freePort();
    const result = await probeRedis(`redis://127.0.0.1:${port}`);
    expect(result.status).to.equal('unreachable');
    expect(formatProbe(result)).to.equal(`✘ Redis at 127.0.0.1:${port}: connection refused`);
  });

  it('returns at once when the connection is refused, without waiting for the timeout', async () => {
    // A 20 s timeout: a refused probe that waited for it would take 20 s, so half of that is a bound a
    // busy machine keeps and still tells the two apart.
    const started = Date.now();
    const results = await Promise.all([
      probeMysql('mysql://u:p@127.0.0.1:1/db', 20_000),
      probeRedis('redis://127.0.0.1:1', 20_000),
    ]);
    expect(results.map((r) => r.detail)).to.deep.equal(['connection refused', 'connection refused']);
    expect(Date.now() - started).to.be.below(10_000);
  });

  it('reports unreachable when a server accepts the connection but never replies', async () => {
    // Holds connections open and says nothing, like a hung server.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const [mysql, redis] = await Promise.all([
        probeMysql(`mysql://u:p@127.0.0.1:${port}/db`, 300),
        probeRedis(`redis://127.0.0.1:${port}`, 300),
      ]);
      expect(mysql).to.include({ status: 'unreachable', detail: 'no answer within 0.3 s' });
      expect(redis).to.include({ status: 'unreachable', detail: 'no answer within 0.3 s' });
      // The details name the 0.3 s timeout; the clock only checks that nothing hangs past it.
      expect(Date.now() - started).to.be.below(10_000);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('services helpers', () => {
  it('accepts MariaDB 10.6+ and MySQL 8+ and refuses older servers', () => {
    expect(mysqlVersionProblem('10.11.6-MariaDB-0+deb12u1')).to.equal(undefined);
    expect(mysqlVersionProblem('10.6.0-MariaDB')).to.equal(undefined);
    expect(mysqlVersionProblem('11.4.2-MariaDB')).to.equal(undefined);
    expect(mysqlVersionProblem('8.4.3')).to.equal(undefined);
    expect(mysqlVersionProblem('10.5.23-MariaDB')).to.match(/MariaDB 10\.6/);
    expect(mysqlVersionProblem('5.7.44')).to.match(/MySQL 8/);
  });

  it('escapes user and password in the grant SQL', () => {
    const sql = grantSql({ user: "o'brien", password: "pa'ss\\word", host: '127.0.0.1' });
    expect(sql).to.include(
      "CREATE USER IF NOT EXISTS 'o\\'brien'@'localhost' IDENTIFIED BY 'pa\\'ss\\\\word';",
    );
    expect(sql).to.include("GRANT ALL PRIVILEGES ON *.* TO 'o\\'brien'@'127.0.0.1';");
    expect(sql).not.to.include("'::1'");
  });

  it('hides the password when it shows a URL', () => {
    expect(redactUrl('mysql://rushline:secret@127.0.0.1:3306/rushline')).to.equal(
      'mysql://rushline:***@127.0.0.1:3306/rushline',
    );
  });
});

describe('services --check', () => {
  it('exits 0 and prints a ✔ line per service when both answer', async () => {
    const cfg = testConfig();
    const result = await runCheck({ DATABASE_URL: cfg.db.url, REDIS_URL: cfg.redis.url });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^✔ MySQL \S+ at /m);
    expect(result.stdout).to.match(/^✔ Redis \S+ at /m);
  });

  it('exits non-zero and names Redis when Redis does not answer', async () => {
    const port = await freePort();
    const result = await runCheck({
      DATABASE_URL: testConfig().db.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(result.code).to.equal(1);
    expect(result.stdout).to.match(/^✔ MySQL /m);
    expect(result.stdout).to.include(`✘ Redis at 127.0.0.1:${port}: connection refused`);
    expect(result.stderr).to.match(/Not ready: Redis\./);
  });

  it('names every service that does not answer', async () => {
    const mysqlPort = await freePort();
    const cfg = testConfig();
    const result = await runCheck({
      DATABASE_URL: withUrl(cfg.db.url, (u) => (u.port = String(mysqlPort))),
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(result.code).to.equal(1);
    expect(result.stdout).to.include(`✘ MySQL at 127.0.0.1:${mysqlPort}: connection refused`);
    expect(result.stdout).to.include('✘ Redis at 127.0.0.1:1: connection refused');
    expect(result.stderr).to.match(/Not ready: MySQL, Redis\./);
  });
});
