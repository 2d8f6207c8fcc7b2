import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { freePort } from '../../test/support/web-stack.js';
import {
  ensurePrometheus,
  prometheusLayout,
  prometheusReady,
  RULE_FILES,
  writePrometheusConfig,
} from './prometheus.js';
import { isAlive, readPid, sleep } from './system.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const targets = { api: ['127.0.0.1:3000'], 'waiting-room': ['127.0.0.1:3001'], worker: ['127.0.0.1:3002'] };

describe('Prometheus for Rushline', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'rushline-prom-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a configuration promtool accepts, with the alert rules and a bearer token', async () => {
    const file = path.join(dir, 'prometheus.yml');
    await writePrometheusConfig(file, {
      targets,
      ruleFiles: RULE_FILES,
      intervalS: 15,
      bearerToken: 'secret-x',
    });
    const { stdout } = await run('promtool', ['check', 'config', file]);
    expect(stdout).to.include('SUCCESS');
    expect(stdout).to.match(/rushline-alerts\.yml[\s\S]*SUCCESS: \d+ rules found/);
  });

  it('ships alert rules and a docker-compose configuration that promtool accepts', async () => {
    const rules = await run('promtool', ['check', 'rules', ...RULE_FILES]);
    const found = [...rules.stdout.matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1]));
    expect(found).to.deep.equal([6]);
    const compose = await run('promtool', [
      'check',
      'config',
      path.join(repoRoot, 'deploy/prometheus/prometheus.yml'),
    ]);
    expect(compose.stdout).to.include('SUCCESS');
  });

  it('refuses rules promtool finds wrong (the check can fail)', async () => {
    const bad = path.join(dir, 'bad.yml');
    await writePrometheusConfig(bad, { targets, ruleFiles: [], intervalS: 1 }); // a config, not rules
    const err = await run('promtool', ['check', 'rules', bad]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'promtool check rules on a non-rules file').to.be.instanceOf(Error);
  });

  it('starts a Prometheus on loopback without systemd (npm run services -- --prometheus)', async () => {
    const port = await freePort();
    chmodSync(dir, 0o755); // as /var/lib/rushline: root starts it as the prometheus user, who must get in
    const paths = { data: path.join(dir, 'lib'), log: path.join(dir, 'log'), run: path.join(dir, 'run') };
    const lines: string[] = [];
    await ensurePrometheus({ port, targets, paths, log: (l) => lines.push(l), waitMs: 30_000 });
    const pid = await readPid(prometheusLayout(port, paths).pidFile);
    try {
      expect(await prometheusReady(port)).to.equal(true);
      // Ready comes before the scrape manager has taken the configuration's targets: ask until it has.
      let jobs: string[] = [];
      for (let i = 0; i < 100 && jobs.length < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
        const body = (await res.json()) as { data: { activeTargets: { labels: { job: string } }[] } };
        jobs = body.data.activeTargets.map((t) => t.labels.job).sort();
        if (jobs.length < 3) await sleep(100);
      }
      expect(jobs).to.deep.equal(['api', 'waiting-room', 'worker']);
      // Asked again, it only reloads the one it started.
      await ensurePrometheus({ port, targets, paths, log: (l) => lines.push(l), waitMs: 30_000 });
      expect(lines.filter((l) => l.includes('starting Prometheus'))).to.have.length(1);
    } finally {
      if (pid !== undefined) process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100 && pid !== undefined && isAlive(pid); i++) await sleep(100);
    }
  });
});
