import os from 'node:os';
import { expect } from 'chai';
import {
  captureRunContext,
  describeFailure,
  failureDetails,
  formatRunContext,
  parseOpenFileLimit,
  parseRedisVersion,
  withTopology,
  type RunContext,
} from './run-context.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
`;

const context: RunContext = {
  date: '2026-11-30T16:00:00.000Z',
  git_commit: '5bb3252',
  git_dirty: false,
  node: 'v26.12.1',
  mariadb: '10.11.19-MariaDB',
  redis: '7.0.15',
  cores: 2,
  cpu_model: null,
  load_before: [0.5, 0.4, 0.3],
  ulimit_n: { soft: 20_000, hard: 20_000 },
  machine: {
    kernel: '6.18.44-fc-v1045',
    js_ms: 32.8,
    loopback_round_trip_us: 41.4,
    loopback_cpu_us: 41.4,
    loopback_system_share: 0.46,
  },
};

describe('run context', () => {
  it('reads the soft and hard open-file limits, unlimited as null', () => {
    expect(parseOpenFileLimit(LIMITS)).to.deep.equal({ soft: 1024, hard: 20_000 });
    expect(parseOpenFileLimit('Max open files  unlimited  unlimited  files')).to.deep.equal({
      soft: null,
      hard: null,
    });
    expect(parseOpenFileLimit('')).to.deep.equal({ soft: null, hard: null });
  });

  it("reads redis_version from Redis's INFO server", () => {
    expect(parseRedisVersion('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n')).to.equal('7.0.15');
    expect(parseRedisVersion('# Server\r\n')).to.equal(null);
  });

  it('moves the scenario topology from the figures into the context', () => {
    const topology = {
      processes: { api: 1, 'waiting-room': 2 },
      clients_per_process: { students: [10, 10] },
    };
    const { context: ctx, result } = withTopology(context, { scenario: 'rush', topology, p99: 5 });
    expect(result).to.deep.equal({ scenario: 'rush', p99: 5 });
    expect(ctx.processes).to.deep.equal(topology.processes);
    expect(ctx.clients_per_process).to.deep.equal(topology.clients_per_process);
    expect(withTopology(context, { scenario: 'x' })).to.deep.equal({ context, result: { scenario: 'x' } });
  });

  it('prints every recorded dependency as a line, in a fixed order', () => {
    const lines = formatRunContext({ ...context, git_dirty: true, processes: { worker: 2 } });
    expect(lines.map((l) => l.split(/\s+/)[0])).to.deep.equal([
      'date',
      'git_commit',
      'node',
      'mariadb',
      'redis',
      'cores',
      'load_before',
      'ulimit_n',
      'kernel',
      'machine_probe',
      'processes',
    ]);
    expect(lines[1]).to.contain('5bb3252 (with uncommitted changes)');
    expect(lines[7]).to.match(/ulimit_n\s+soft 20000, hard 20000$/);
    expect(lines[9]).to.match(
      /machine_probe\s+js 32.8 ms CPU; loopback round trip 41.4 µs, 41.4 µs CPU \(46% kernel\)$/,
    );
    expect(formatRunContext({ ...context, git_commit: null, git_dirty: null })[1]).to.match(/unknown$/);
    expect(formatRunContext({ ...context, machine: null })).to.have.length(8);
  });

  it("reduces a child process's dump to one line with what failed and why", () => {
    const dump = [
      'push-clients exited with 1 before listening:',
      'node:internal/process/esm_loader:40',
      "      internalBinding('errors').triggerUncaughtException(",
      '                                  ^',
      'TransportError: websocket error',
      '    at WS.onError (/work/main/node_modules/engine.io-client/build/esm-debug/transport.js:41:37)',
      "  description: ErrorEvent { message: 'connect EADDRNOTAVAIL 127.0.0.1:4242' },",
      "  type: 'TransportError'",
    ].join('\n');
    expect(describeFailure(new Error(dump))).to.equal(
      'push-clients exited with 1 before listening: TransportError: websocket error (EADDRNOTAVAIL)',
    );
    const fatal =
      'push-clients exited with 1 before listening:\nfatal: 9,000 of 10,000 clients connected, then TransportError: websocket error';
    expect(describeFailure(new Error(fatal))).to.equal(
      'push-clients exited with 1 before listening: 9,000 of 10,000 clients connected, then TransportError: websocket error',
    );
    expect(describeFailure('plain')).to.equal('plain');
    expect(describeFailure(new Error('rush: api exited (1):\n{"level":"ERROR","msg":"x"}'))).to.equal(
      'rush: api exited (1)',
    );
    expect(describeFailure(new Error('x'.repeat(400)))).to.have.length(300);
  });

  it('keeps the whole error and its causes for the details file', () => {
    const err = new Error('push at 20,000 clients: boom', { cause: new Error('inner\nlog line') });
    const text = failureDetails(err);
    expect(text).to.contain('push at 20,000 clients: boom').and.contain('caused by:').and.contain('log line');
  });

  it('captures versions, limits, load, cores and the commit from this machine', async () => {
    const ctx = await captureRunContext();
    expect(ctx.node).to.equal(process.version);
    expect(ctx.mariadb).to.be.a('string');
    expect(ctx.redis).to.match(/^\d+\.\d+/);
    expect(ctx.load_before).to.have.length(3);
    expect(ctx.cores).to.be.greaterThan(0);
    expect(Number.isNaN(Date.parse(ctx.date))).to.equal(false);
    expect(ctx.ulimit_n.hard === null || ctx.ulimit_n.hard > 0).to.equal(true);
    expect(ctx.machine?.kernel).to.equal(os.release());
    expect(ctx.machine?.js_ms).to.be.greaterThan(0);
    expect(ctx.machine?.loopback_round_trip_us).to.be.greaterThan(0);
    expect(ctx.machine?.loopback_cpu_us).to.be.greaterThan(0);
    expect(ctx.machine?.loopback_system_share).to.be.within(0, 1);
  });
});
