import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../core/config.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';

const root = path.resolve(import.meta.dirname, '..');

/** Runs a TypeScript entry to its exit, with the given environment on top of this run's. */
function runToExit(entry: string, args: string[], env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    proc.once('exit', (code) => resolve({ code, output })),
  );
}

const pemOf = (pem: string) => pem.replace(/\n/g, '\\n');
const ownKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const dev = loadConfig({}).admission;

/** A production environment that passes every check but the one a test breaks. */
const production: Record<string, string> = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-production-secret-of-the-test-run-long-enough',
  ADMISSION_PRIVATE_KEY: pemOf(ownKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
  ADMISSION_PUBLIC_KEY: '',
  ADMISSION_KEY_ID: 'prod-test',
  // Nothing listens there: every refusal below must come before any connection is made.
  DATABASE_URL: 'mysql://app:s3cret@127.0.0.1:1/rushline',
  PAYMENT_PROVIDER: 'simulated',
  ALLOW_SIMULATED_PAYMENTS: 'true',
  SHUTDOWN_DRAIN_MS: '0',
  // The suite turns the account check off (test/global-setup.ts); production insists on it.
  AUTH_ACCOUNT_CHECK: 'true',
};

describe('production refuses demo settings', function () {
  this.timeout(60_000);

  it('the seed refuses NODE_ENV=production unless --allow-production is given', async () => {
    const refused = await runToExit('scripts/seed.ts', ['--if-empty'], production);
    expect(refused.code).to.equal(1);
    expect(refused.output).to.contain('Refusing to seed: NODE_ENV=production');
    // Allowed, it goes on to the database (which is not there): a different failure, not the refusal.
    const allowed = await runToExit('scripts/seed.ts', ['--if-empty', '--allow-production'], production);
    expect(allowed.code).to.not.equal(0);
    expect(allowed.output).to.not.contain('Refusing to seed');
    expect(allowed.output).to.match(/ECONNREFUSED/);
  });

  it('an app refuses the simulated payment provider unless ALLOW_SIMULATED_PAYMENTS=true', async () => {
    const { code, output } = await runToExit('api/src/main.ts', [], {
      ...production,
      ALLOW_SIMULATED_PAYMENTS: 'false',
    });
    expect(code).to.equal(1);
    expect(output).to.contain('api: refusing to start');
    expect(output).to.contain('PAYMENT_PROVIDER: "simulated" accepts every charge');
  });

  it('an app refuses the development admission key by its public key, from either variable', async () => {
    const sec1 = pemOf(dev.privateKey?.export({ type: 'sec1', format: 'pem' }).toString() ?? '');
    const publicPem = pemOf(dev.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const [asPrivate, asPublic] = await Promise.all([
      runToExit('waiting-room/src/main.ts', [], { ...production, ADMISSION_PRIVATE_KEY: sec1 }),
      runToExit('api/src/main.ts', [], {
        ...production,
        ADMISSION_PRIVATE_KEY: '',
        ADMISSION_PUBLIC_KEY: publicPem,
      }),
    ]);
    expect(asPrivate.code).to.equal(1);
    expect(asPrivate.output).to.contain('ADMISSION_PRIVATE_KEY: the development key is refused');
    expect(asPublic.code).to.equal(1);
    expect(asPublic.output).to.contain('ADMISSION_PUBLIC_KEY: the development key is refused');
  });
});

describe('docker-compose.yml defaults', () => {
  const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  /** What compose gives `KEY: ${KEY:-default}` when the .env file leaves KEY out. */
  const defaults = Object.fromEntries(
    [...compose.matchAll(/^\s+([A-Z_]+): \$\{([A-Z_]+):-([^}]*)\}$/gm)]
      .filter((m) => m[1] === m[2])
      .map((m) => [m[1] ?? '', m[3] ?? '']),
  );

  it('seeds only when asked, and then says so to the seed', () => {
    expect(defaults.SEED_DEMO).to.equal('false');
    expect(compose).to.match(
      /if \[ "\$\$SEED_DEMO" = true \]; then node dist\/scripts\/seed\.js [^;]*--allow-production/,
    );
  });

  it('chooses no payment provider and trusts one proxy hop, so the apps refuse to start unconfigured', () => {
    expect(defaults.PAYMENT_PROVIDER).to.equal('');
    expect(defaults.ALLOW_SIMULATED_PAYMENTS).to.equal('false');
    expect(defaults.TRUST_PROXY).to.equal('1');
    const { PAYMENT_PROVIDER: _p, ALLOW_SIMULATED_PAYMENTS: _a, ...secrets } = production;
    let problems: string[] = [];
    try {
      loadConfig({ ...secrets, ...defaults });
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
    }
    expect(problems.join('\n')).to.contain('PAYMENT_PROVIDER: required when NODE_ENV=production');
  });
});

describe('/readyz while a process shuts down', function () {
  this.timeout(60_000);
  const apps: AppProcess[] = [];
  after(async () => {
    await Promise.all(apps.map((p) => p.kill()));
  });

  for (const name of ['api', 'waiting-room', 'worker'] as const) {
    it(`${name}: answers 503 from the stop signal on, while still serving, then exits cleanly`, async () => {
      const app = await startAppProcess(name, { SHUTDOWN_DRAIN_MS: '4000' });
      apps.push(app);
      // Ready first (its connections may still be opening right after it listens).
      let ready = await fetch(`${app.url}/readyz`);
      for (let i = 0; i < 100 && ready.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await fetch(`${app.url}/readyz`);
      }
      expect(ready.status, await ready.text()).to.equal(200);
      const exited = new Promise<number | null>((resolve) => app.proc.once('exit', resolve));
      app.proc.kill('SIGTERM');
      // Polled until it changes: the first answer that is not 200 must be the draining 503.
      let res = await fetch(`${app.url}/readyz`);
      for (let i = 0; i < 200 && res.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 10));
        res = await fetch(`${app.url}/readyz`);
      }
      expect(res.status).to.equal(503);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).to.equal('SHUTTING_DOWN');
      // Still serving everything else during the drain.
      expect((await fetch(`${app.url}/healthz`)).status).to.equal(200);
      expect(await exited).to.equal(0);
      expect(app.logs.join('\n')).to.match(/"drainMs":4000.*stopping/);
    });
  }
});
