import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConfigError, ENV_VARIABLES, loadConfig } from './config.js';

const PROD_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgL6Mk0Mm1ejAu87JC
JV1IK6kUeTIfzqu9fT9jUPFoRX2hRANCAASAA5RxZ+muHNDX5E5S/m6oS92CyRLh
Z02ebB6kofIBsMF31cEt+/XsMA8PkjZu9MLLDAolQ69n+bVdieeDde87
-----END PRIVATE KEY-----`;

const production = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-real-production-secret-that-is-long-enough-1234',
  ADMISSION_PRIVATE_KEY: PROD_KEY.replace(/\n/g, '\\n'),
  ADMISSION_KEY_ID: 'prod-1',
  DATABASE_URL: 'mysql://app:s3cret@db.internal:3306/rushline',
  PAYMENT_PROVIDER: 'simulated',
  ALLOW_SIMULATED_PAYMENTS: 'true',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  expect.fail('expected loadConfig to throw');
}

describe('config', () => {
  it('fills development defaults when nothing is set', () => {
    const cfg = loadConfig({});
    expect(cfg.env).to.equal('development');
    expect(cfg.http.apiPort).to.equal(3000);
    expect(cfg.db.url).to.match(/^mysql:\/\//);
    expect(cfg.admission.privateKey).to.not.equal(undefined);
    expect(Object.isFrozen(cfg.http)).to.equal(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ API_PORT: '' }).http.apiPort).to.equal(3000);
  });

  it('names a malformed port', () => {
    const problems = problemsOf({ API_PORT: 'eighty' });
    expect(problems.join('\n')).to.contain('API_PORT');
  });

  it('names every malformed variable at once', () => {
    const problems = problemsOf({ DATABASE_URL: 'postgres://x@y/z', REDIS_URL: 'nope', NODE_ENV: 'staging' });
    const text = problems.join('\n');
    expect(text).to.contain('DATABASE_URL');
    expect(text).to.contain('REDIS_URL');
    expect(text).to.contain('NODE_ENV');
  });

  it('refuses a database URL without a database name', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://u:p@localhost:3306' }).join()).to.contain('DATABASE_URL');
  });

  it('refuses a short JWT secret', () => {
    expect(problemsOf({ JWT_SECRET: 'short' }).join()).to.contain('JWT_SECRET');
  });

  it('refuses a Redis prefix with characters that would break key patterns', () => {
    expect(problemsOf({ REDIS_PREFIX: 'a:b*' }).join()).to.contain('REDIS_PREFIX');
  });

  it("reads a Redis Cluster's seed nodes, unset meaning one Redis, and names a malformed list", () => {
    expect(loadConfig({}).redis.clusterNodes).to.equal(undefined);
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7001, redis-b:7002,[::1]:7003' }).redis.clusterNodes,
    ).to.deep.equal([
      { host: '127.0.0.1', port: 7001 },
      { host: 'redis-b', port: 7002 },
      { host: '::1', port: 7003 },
    ]);
    for (const bad of ['127.0.0.1', '127.0.0.1:0', 'a:70000', 'redis://a:1', ' , ']) {
      expect(problemsOf({ REDIS_CLUSTER_NODES: bad }).join(), bad).to.contain('REDIS_CLUSTER_NODES');
    }
  });

  it('listens with a deep accept queue unless told otherwise, and names a malformed one', () => {
    expect(loadConfig({}).http.listenBacklog).to.equal(4_096);
    expect(loadConfig({ HTTP_LISTEN_BACKLOG: '511' }).http.listenBacklog).to.equal(511);
    expect(problemsOf({ HTTP_LISTEN_BACKLOG: 'deep' }).join()).to.contain('HTTP_LISTEN_BACKLOG');
  });

  it('listens on eight sockets per port unless told otherwise, and refuses none or too many', () => {
    expect(loadConfig({}).http.acceptors).to.equal(8);
    expect(loadConfig({ HTTP_ACCEPTORS: '1' }).http.acceptors).to.equal(1);
    for (const bad of ['0', '65', '2.5', 'many']) {
      expect(problemsOf({ HTTP_ACCEPTORS: bad }).join(), bad).to.contain('HTTP_ACCEPTORS');
    }
  });

  it('reads how often each watcher hears the room, and refuses a value out of range', () => {
    expect(loadConfig({}).admission.liveUpdateMs).to.equal(1_000);
    expect(loadConfig({ LIVE_UPDATE_MS: '2000' }).admission.liveUpdateMs).to.equal(2_000);
    expect(problemsOf({ LIVE_UPDATE_MS: '0' }).join()).to.contain('LIVE_UPDATE_MS');
    expect(problemsOf({ LIVE_UPDATE_MS: '60000' }).join()).to.contain('LIVE_UPDATE_MS');
  });

  it('refuses an admission key that is not EC P-256', () => {
    expect(problemsOf({ ADMISSION_PRIVATE_KEY: 'not a key' }).join()).to.contain('ADMISSION_PRIVATE_KEY');
  });

  it('starts in production with secrets of its own', () => {
    const cfg = loadConfig(production);
    expect(cfg.env).to.equal('production');
    expect(cfg.admission.keyId).to.equal('prod-1');
    expect(cfg.admission.publicKey.asymmetricKeyType).to.equal('ec');
  });

  it('reads DATABASE_READ_URL when set, and refuses the development passwords of the replica in production', () => {
    expect(loadConfig({}).db.readUrl).to.equal(undefined);
    const url = 'mysql://rushline:rushline@127.0.0.1:3307/rushline';
    expect(loadConfig({ DATABASE_READ_URL: url }).db.readUrl).to.equal(url);
    expect(problemsOf({ DATABASE_READ_URL: 'redis://x:6379' }).join()).to.contain('DATABASE_READ_URL');
    const text = problemsOf({
      ...production,
      DATABASE_READ_URL: url,
      DATABASE_REPLICATION_PASSWORD: loadConfig({}).db.replication.password,
    }).join('\n');
    expect(text).to.contain('DATABASE_READ_URL: the development password');
    expect(text).to.contain('DATABASE_REPLICATION_PASSWORD: the development default');
    expect(
      loadConfig({ ...production, DATABASE_READ_URL: 'mysql://app:s3cret@replica:3306/rushline' }).db.readUrl,
    ).to.equal('mysql://app:s3cret@replica:3306/rushline');
  });

  it('refuses to start in production on default secrets', () => {
    const text = problemsOf({ NODE_ENV: 'production' }).join('\n');
    for (const name of [
      'JWT_SECRET',
      'ADMISSION_PRIVATE_KEY',
      'ADMISSION_KEY_ID',
      'DATABASE_URL',
      'PAYMENT_PROVIDER',
    ]) {
      expect(text).to.contain(name);
    }
  });

  it('refuses the development JWT secret in production even when set explicitly', () => {
    const text = problemsOf({
      ...production,
      JWT_SECRET: 'rushline-dev-only-jwt-secret-do-not-use-in-production',
    }).join('\n');
    expect(text).to.contain('JWT_SECRET');
  });

  it('refuses the development database password in production', () => {
    const text = problemsOf({
      ...production,
      DATABASE_URL: 'mysql://rushline:rushline@127.0.0.1:3306/rushline',
    }).join('\n');
    expect(text).to.contain('DATABASE_URL');
  });

  it('refuses the simulated payment provider in production unless explicitly allowed', () => {
    const { ALLOW_SIMULATED_PAYMENTS: _allowed, ...withoutAllowance } = production;
    const text = problemsOf(withoutAllowance).join('\n');
    expect(text).to.contain('PAYMENT_PROVIDER');
    expect(text).to.contain('ALLOW_SIMULATED_PAYMENTS=true');
    expect(loadConfig(production).payments.allowSimulated).to.equal(true);
  });

  it('refuses the development admission key in production by its public key, in either variable', () => {
    const dev = loadConfig({}).admission;
    // The same key written differently: SEC1 instead of PKCS#8, and its public half on its own.
    const sec1 = dev.privateKey?.export({ type: 'sec1', format: 'pem' }).toString() ?? '';
    const publicPem = dev.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(sec1).to.contain('BEGIN EC PRIVATE KEY');
    expect(problemsOf({ ...production, ADMISSION_PRIVATE_KEY: sec1 }).join('\n')).to.contain(
      'ADMISSION_PRIVATE_KEY: the development key is refused',
    );
    const { ADMISSION_PRIVATE_KEY: _own, ...publicOnly } = production;
    expect(problemsOf({ ...publicOnly, ADMISSION_PUBLIC_KEY: publicPem }).join('\n')).to.contain(
      'ADMISSION_PUBLIC_KEY: the development key is refused',
    );
    // A private key of its own beside the development public key is refused too.
    expect(problemsOf({ ...production, ADMISSION_PUBLIC_KEY: publicPem }).join('\n')).to.contain(
      'ADMISSION_PUBLIC_KEY: the development key is refused',
    );
  });

  it('takes TRUST_PROXY as false, a hop count or proxy addresses, and refuses true', () => {
    expect(loadConfig({}).http.trustProxy).to.equal(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).to.equal(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).to.equal(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).http.trustProxy).to.deep.equal([
      'loopback',
      '10.0.0.0/8',
      'fd00::1',
    ]);
    expect(problemsOf({ TRUST_PROXY: 'true' }).join()).to.contain('TRUST_PROXY');
    expect(problemsOf({ TRUST_PROXY: '10.0.0.0/33' }).join()).to.contain('10.0.0.0/33');
    expect(problemsOf({ TRUST_PROXY: 'proxy.example' }).join()).to.contain('proxy.example');
  });

  it('reads rate-limit overrides and keeps the defaults of the rest', () => {
    const cfg = loadConfig({ RATE_LIMITS: 'status=5/10, refresh=7/30' });
    expect(cfg.rateLimits.status).to.deep.equal({ points: 5, durationS: 10 });
    expect(cfg.rateLimits.refresh).to.deep.equal({ points: 7, durationS: 30 });
    expect(cfg.rateLimits.join).to.deep.equal(loadConfig({}).rateLimits.join);
    expect(problemsOf({ RATE_LIMITS: 'bogus=1/1' }).join()).to.contain('RATE_LIMITS');
    expect(problemsOf({ RATE_LIMITS: 'join=0/60' }).join()).to.contain('RATE_LIMITS');
  });

  it('drains for 5 s before stopping in production only, unless told otherwise', () => {
    expect(loadConfig({}).shutdownDrainMs).to.equal(0);
    expect(loadConfig(production).shutdownDrainMs).to.equal(5_000);
    expect(loadConfig({ ...production, SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs).to.equal(0);
  });

  it('verifies with a public key alone, without a private key (the api)', () => {
    const { publicKey } = loadConfig({}).admission;
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const cfg = loadConfig({ ADMISSION_PUBLIC_KEY: pem });
    expect(cfg.admission.privateKey).to.equal(undefined);
  });

  it('is documented: every variable appears in .env.example and the README', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of ENV_VARIABLES) {
      expect(example, `.env.example lacks ${name}`).to.match(new RegExp(`^${name}=`, 'm'));
      expect(readme, `README lacks ${name}`).to.contain(`\`${name}\``);
    }
  });
});
