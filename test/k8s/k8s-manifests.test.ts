import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Deployment } from 'kubernetes-models/apps/v1';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig, type Config } from '../../core/config.js';
import { startAppProcess, type AppProcess } from '../../scripts/lib/app-process.js';
import { readGatewayRoutes } from './gateway-routes.js';
import {
  K8S_DIR,
  KUBECTL,
  kustomize,
  overlayNames,
  renderOverlay,
  type Rendered,
} from './rendered-manifests.js';

const root = path.resolve(import.meta.dirname, '..', '..');
type Workload = Rendered['deployments'][number] | Rendered['jobs'][number];
type AppName = 'api' | 'waiting-room' | 'worker';

/** The keys the operator's Secret holds (secret.example.yaml), with stand-in values that production accepts. */
function secretStandIns(): Record<string, string> {
  const example = parse(readFileSync(path.join(K8S_DIR, 'secret.example.yaml'), 'utf8')) as {
    stringData: Record<string, string>;
  };
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const values: Record<string, string> = {
    DATABASE_URL: 'mysql://app:s3cret@mysql.test:3306/rushline',
    REDIS_URL: 'redis://redis.test:6379',
    JWT_SECRET: randomBytes(32).toString('base64'),
    ADMISSION_KEY_ID: 'k8s-test',
    ADMISSION_PRIVATE_KEY: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ADMISSION_PUBLIC_KEY: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    PAYMENT_PROVIDER: 'simulated',
    ALLOW_SIMULATED_PAYMENTS: 'true',
    METRICS_TOKEN: randomBytes(24).toString('hex'),
  };
  const keys = Object.keys(example.stringData);
  expect(keys, 'a stand-in value for each key of secret.example.yaml').to.have.members(Object.keys(values));
  return values;
}

const containersOf = (w: Workload): IContainer[] => w.spec?.template.spec?.containers ?? [];
const nameOf = (o: { metadata?: { name?: string } }) => o.metadata?.name ?? '(unnamed)';

/**
 * The environment a container starts with, as the kubelet builds it: envFrom first, then env on top;
 * secretKeyRef read from the stand-in Secret (a missing required key fails, as the pod would not start).
 */
function environmentOf(
  c: IContainer,
  rendered: Rendered,
  secret: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    expect(from.secretRef, `${c.name}: secrets by key only (secretKeyRef), never a whole Secret`).to.equal(
      undefined,
    );
    const name = from.configMapRef?.name;
    const map = rendered.configMaps.find((m) => nameOf(m) === name);
    expect(map, `${c.name}: ConfigMap ${name} is rendered`).to.not.equal(undefined);
    Object.assign(env, map?.data);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref) {
      expect(ref.name, `${c.name} ${e.name}`).to.equal('rushline-secrets');
      const value = secret[ref.key];
      if (value === undefined && !ref.optional) throw new Error(`${c.name}: Secret key ${ref.key} missing`);
      if (value !== undefined) env[e.name] = value;
      continue;
    }
    expect(e.valueFrom, `${c.name} ${e.name}: a value or a secretKeyRef`).to.equal(undefined);
    env[e.name] = e.value ?? '';
  }
  return env;
}

/** `node dist/<x>.js` → the TypeScript source it is built from (tsconfig.build.json mirrors the tree). */
function sourceOf(c: IContainer): string {
  const [node, script, ...rest] = c.command ?? [];
  expect(node, `${c.name} runs node`).to.equal('node');
  expect(rest, `${c.name}: no extra arguments`).to.deep.equal([]);
  const m = /^dist\/(.+)\.js$/.exec(script ?? '');
  if (!m) throw new Error(`${c.name}: ${script} is not a built file under dist/`);
  const source = `${m[1]}.ts`;
  expect(existsSync(path.join(root, source)), `${source} exists`).to.equal(true);
  return source;
}

/** The app a source is the main of (api/src/main.ts → api), if it is one. */
function appOf(source: string): AppName | undefined {
  const m = /^(api|waiting-room|worker)\/src\/main\.ts$/.exec(source);
  return m?.[1] as AppName | undefined;
}

/** The port a main.ts listens on, read from its own `port: cfg.http.<key>` and the container's config. */
function listenPort(source: string, cfg: Config): number {
  const key = /port:\s*cfg\.http\.(\w+)/.exec(readFileSync(path.join(root, source), 'utf8'))?.[1];
  if (!key || !(key in cfg.http)) throw new Error(`${source}: no port: cfg.http.<key> found`);
  const port = cfg.http[key as keyof Config['http']];
  expect(port, `${source}: cfg.http.${key}`).to.be.a('number');
  return port as number;
}

/** A probe's or Service's port (a number or a container port's name) as a number. */
function containerPort(c: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

const podLabels = (d: Deployment) => d.spec?.template.metadata?.labels ?? {};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe(`Kubernetes manifests (deploy/k8s, rendered by ${KUBECTL})`, function () {
  // kubectl renders in well under a second; the slack is for a loaded machine.
  this.timeout(60_000);
  const overlays = overlayNames();
  const secret = secretStandIns();
  const gateway = readGatewayRoutes();
  const renders = new Map<string, Rendered>();
  const rendered = (overlay: string): Rendered => {
    let r = renders.get(overlay);
    if (!r) renders.set(overlay, (r = renderOverlay(overlay)));
    return r;
  };

  it('has the overlays the README and ADR 021 name', () => {
    expect(overlays).to.include.members(['dev', 'production', 'production-queue-scaling']);
  });

  it('refuses, through the schema check, a Deployment the API server would refuse', () => {
    const bad = new Deployment({
      metadata: { name: 'x' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          spec: { containers: [{ name: 'c', ports: [{ containerPort: 'http' as unknown as number }] }] },
        },
      },
    });
    expect(() => bad.validate()).to.throw(/containerPort must be integer/);
  });

  it('commits no Secret: none is rendered, and secret.example.yaml is in no kustomization', () => {
    for (const dir of ['base', ...overlays.map((o) => `overlays/${o}`)]) {
      const kinds = kustomize(path.join(K8S_DIR, dir)).map((o) => o.kind);
      expect(kinds, dir).to.not.include('Secret');
      // Comments may point at the example; no entry may list it.
      const entries = readFileSync(path.join(K8S_DIR, dir, 'kustomization.yaml'), 'utf8').replace(
        /#.*$/gm,
        '',
      );
      expect(entries, dir).to.not.match(/secret\.example/);
    }
  });

  it("keeps every kustomization to kustomize v2.0.3's fields (Debian 12's kubectl 1.20 renders them in CI)", () => {
    // The Kustomization fields v2.0.3 knows; `patches`, `components`, `labels`, `replicas` came later.
    const known = new Set([
      'apiVersion',
      'kind',
      'resources',
      'bases',
      'namespace',
      'namePrefix',
      'nameSuffix',
      'commonLabels',
      'commonAnnotations',
      'patchesStrategicMerge',
      'patchesJson6902',
      'configMapGenerator',
      'secretGenerator',
      'generatorOptions',
      'images',
      'vars',
      'crds',
    ]);
    for (const dir of ['base', ...overlays.map((o) => `overlays/${o}`)]) {
      const k = parse(readFileSync(path.join(K8S_DIR, dir, 'kustomization.yaml'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(
        Object.keys(k).filter((f) => !known.has(f)),
        dir,
      ).to.deep.equal([]);
      // v2.0.3 reads directories only as `bases`; `resources` are files.
      for (const r of (k.resources as string[] | undefined) ?? []) {
        expect(statSync(path.join(K8S_DIR, dir, r)).isFile(), `${dir}: resource ${r} is a file`).to.equal(
          true,
        );
      }
    }
  });

  for (const overlay of overlays) {
    describe(`overlays/${overlay}`, () => {
      it('renders, and every object passes its Kubernetes schema', () => {
        const r = rendered(overlay);
        expect(r.deployments.map(nameOf)).to.have.members(['api', 'waiting-room', 'worker', 'web']);
        expect(r.jobs.map(nameOf)).to.deep.equal(['migrate']);
        expect(r.ingresses.length).to.be.greaterThan(0);
      });

      it('sets only variables core/config.ts reads, and each app starts with them in production', () => {
        const r = rendered(overlay);
        const workloads: Workload[] = [...r.deployments, ...r.jobs];
        let checked = 0;
        for (const w of workloads) {
          for (const c of containersOf(w)) {
            if (c.image?.includes('rushline-gateway')) continue; // nginx: checked against its template below
            const env = environmentOf(c, r, secret);
            const unknown = Object.keys(env).filter((k) => !(ENV_VARIABLES as string[]).includes(k));
            expect(unknown, `${nameOf(w)}: variables core/config.ts does not read`).to.deep.equal([]);
            expect(env.NODE_ENV, nameOf(w)).to.equal('production');
            // Throws naming every missing or refused variable, as the process itself would at start.
            const cfg = loadConfig(env);
            expect(cfg.env).to.equal('production');
            checked += 1;
          }
        }
        expect(checked).to.equal(4);
      });

      it("listens, probes and is scraped on the port each main.ts reads from the container's config", () => {
        const r = rendered(overlay);
        const apps: string[] = [];
        for (const d of r.deployments) {
          for (const c of containersOf(d)) {
            if (c.image?.includes('rushline-gateway')) continue;
            const source = sourceOf(c);
            const app = appOf(source);
            if (!app) throw new Error(`${nameOf(d)} runs ${source}, not an app's main.ts`);
            apps.push(app);
            const port = listenPort(source, loadConfig(environmentOf(c, r, secret)));
            expect(
              c.ports?.map((p) => p.containerPort),
              nameOf(d),
            ).to.deep.equal([port]);
            for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
              expect(probe?.httpGet, `${nameOf(d)}: an HTTP probe`).to.not.equal(undefined);
              expect(containerPort(c, probe?.httpGet?.port), `${nameOf(d)} probe port`).to.equal(port);
            }
            expect(c.readinessProbe?.httpGet?.path, nameOf(d)).to.equal('/readyz');
            expect(c.livenessProbe?.httpGet?.path, nameOf(d)).to.equal('/healthz');
            expect(c.startupProbe?.httpGet?.path, nameOf(d)).to.equal('/healthz');
            const annotations = d.spec?.template.metadata?.annotations ?? {};
            expect(annotations['prometheus.io/port'], nameOf(d)).to.equal(String(port));
            const service = r.services.find((s) => selects(s.spec?.selector, podLabels(d)));
            const target = service?.spec?.ports?.[0]?.targetPort;
            expect(containerPort(c, target), `${nameOf(d)}: its Service reaches the port`).to.equal(port);
          }
        }
        expect(apps).to.have.members(['api', 'waiting-room', 'worker']);
      });

      it('passes the optional replica and Redis Cluster keys to the apps that use them', () => {
        const r = rendered(overlay);
        const wants: Record<string, string[]> = {
          api: ['DATABASE_READ_URL', 'REDIS_CLUSTER_NODES'],
          'waiting-room': ['DATABASE_READ_URL', 'REDIS_CLUSTER_NODES'],
          worker: ['REDIS_CLUSTER_NODES'],
        };
        for (const d of r.deployments) {
          for (const c of containersOf(d)) {
            for (const name of wants[nameOf(d)] ?? []) {
              const ref = c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
              expect(ref, `${nameOf(d)}: ${name}`).to.deep.include({ key: name, optional: true });
            }
          }
        }
      });

      it('gives each pod longer to stop than the app takes to drain and close', () => {
        const r = rendered(overlay);
        for (const d of r.deployments) {
          const grace = d.spec?.template.spec?.terminationGracePeriodSeconds;
          expect(grace, `${nameOf(d)}: terminationGracePeriodSeconds`).to.be.a('number');
          for (const c of containersOf(d)) {
            if (c.image?.includes('rushline-gateway')) continue;
            const cfg = loadConfig(environmentOf(c, r, secret));
            // run-service.ts: /readyz says 503 for shutdownDrainMs, then the close has shutdownTimeoutMs.
            const deadlineS = (cfg.shutdownDrainMs + cfg.shutdownTimeoutMs) / 1000;
            expect(grace, `${nameOf(d)}: grace vs the app's own deadline ${deadlineS} s`).to.be.greaterThan(
              deadlineS,
            );
            if (d.spec?.template.metadata?.labels?.['app.kubernetes.io/component'] !== 'worker') {
              expect(cfg.shutdownDrainMs, `${nameOf(d)} drains before closing`).to.be.greaterThan(0);
            }
          }
        }
      });

      it('rolls out without losing capacity, and every budget, Service and autoscaler finds its pods', () => {
        const r = rendered(overlay);
        for (const d of r.deployments) {
          expect(d.spec?.strategy?.type, nameOf(d)).to.equal('RollingUpdate');
          expect(d.spec?.strategy?.rollingUpdate?.maxUnavailable, nameOf(d)).to.equal(0);
          expect(selects(d.spec?.selector.matchLabels, podLabels(d)), nameOf(d)).to.equal(true);
          for (const c of containersOf(d)) {
            expect(c.resources?.requests?.cpu, `${nameOf(d)}: a CPU request (the HPA's base)`).to.be.a(
              'string',
            );
            expect(c.resources?.limits?.memory, `${nameOf(d)}: a memory limit`).to.be.a('string');
          }
        }
        const selected = (selector: Record<string, string> | undefined) =>
          r.deployments.filter((d) => selects(selector, podLabels(d))).map(nameOf);
        for (const pdb of r.disruptionBudgets) {
          expect(selected(pdb.spec?.selector?.matchLabels), `PDB ${nameOf(pdb)}`).to.have.length(1);
        }
        expect(r.disruptionBudgets.map((p) => selected(p.spec?.selector?.matchLabels)[0])).to.have.members(
          r.deployments.map(nameOf),
        );
        for (const s of r.services)
          expect(selected(s.spec?.selector), `Service ${nameOf(s)}`).to.have.length(1);
        for (const hpa of r.autoscalers) {
          const target = r.deployments.find((d) => nameOf(d) === hpa.spec?.scaleTargetRef.name);
          expect(target, `HPA ${nameOf(hpa)} targets a Deployment`).to.not.equal(undefined);
          // A fixed count would be applied over the autoscaler's on every `kubectl apply`.
          expect(target?.spec?.replicas, `${nameOf(hpa)}: the HPA owns the count`).to.equal(undefined);
        }
      });

      it("routes the gateway's paths to the same apps, socket.io with its upgrade and long reads", () => {
        const r = rendered(overlay);
        const web = r.deployments.find((d) =>
          containersOf(d).some((c) => c.image?.includes('rushline-gateway')),
        );
        const webContainer = web ? containersOf(web)[0] : undefined;
        if (!web || !webContainer) throw new Error('no Deployment runs the gateway image (the web app)');
        const webEnv = environmentOf(webContainer, r, secret);
        expect(Object.keys(webEnv)).to.have.members([...gateway.variables]);
        expect(webContainer.ports?.map((p) => p.containerPort)).to.deep.equal([
          Number(webEnv.RUSHLINE_GATEWAY_LISTEN),
        ]);
        const healthz = gateway.locations.find((l) => l.modifier === '=' && /healthz/.test(l.path));
        expect(webContainer.readinessProbe?.httpGet?.path).to.equal(healthz?.path);

        const routes = r.ingresses.flatMap((ing) =>
          (ing.spec?.rules ?? []).flatMap((rule) =>
            (rule.http?.paths ?? []).map((p) => ({ ingress: ing, path: p.path, backend: p.backend.service })),
          ),
        );
        const servicePort = (
          name: string | undefined,
          port: { name?: string; number?: number } | undefined,
        ) =>
          r.services
            .find((s) => nameOf(s) === name)
            ?.spec?.ports?.find((p) => (port?.name ? p.name === port.name : p.port === port?.number))?.port;

        const expected: string[] = [];
        for (const loc of gateway.locations.filter((l) => l.modifier === '' && l.upstream)) {
          const variable = gateway.upstreamVariables.get(loc.upstream ?? '');
          const [host, port] = (webEnv[variable ?? ''] ?? '').split(':');
          const prefix = loc.path.replace(/(.)\/$/, '$1');
          expected.push(prefix);
          const route = routes.find((x) => x.path === prefix);
          expect(route, `the Ingress routes ${prefix}`).to.not.equal(undefined);
          expect(route?.backend?.name, `${prefix} goes where the gateway sends it`).to.equal(host);
          expect(servicePort(route?.backend?.name, route?.backend?.port), prefix).to.equal(Number(port));
          const annotations = route?.ingress.metadata?.annotations ?? {};
          if (loc.readTimeoutS !== undefined) {
            const timeout = Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']);
            expect(timeout, `${prefix}: read timeout`).to.be.at.least(loc.readTimeoutS);
          }
          if (loc.upgrades) {
            // The waiting room still offers long-polling, whose requests must reach the pod holding the session.
            const server = readFileSync(path.join(root, 'waiting-room/src/live/socket-server.ts'), 'utf8');
            if (/transports:\s*\[[^\]]*'polling'/.test(server)) {
              expect(annotations['nginx.ingress.kubernetes.io/affinity'], `${prefix}: sticky`).to.equal(
                'cookie',
              );
            }
          }
        }
        // The web app itself: every other path, to the Service of the pods serving the built files.
        const rootRoute = routes.find((x) => x.path === '/');
        const webService = r.services.find((s) => selects(s.spec?.selector, podLabels(web)));
        expect(rootRoute?.backend?.name).to.equal(nameOf(webService ?? {}));
        expect(gateway.locations.some((l) => l.modifier === '' && l.path === '/' && !l.upstream)).to.equal(
          true,
        );
        // Nothing beyond what the gateway serves (e.g. no /metrics route to the world).
        expect(routes.map((x) => x.path)).to.have.members([...expected, '/']);
      });
    });
  }

  it('production: the api and the waiting room scale on CPU, 3 to 50 pods at 50%', () => {
    const r = rendered('production');
    for (const name of ['api', 'waiting-room']) {
      const hpa = r.autoscalers.find((h) => h.spec?.scaleTargetRef.name === name);
      expect(hpa?.spec?.minReplicas, name).to.equal(3);
      expect(hpa?.spec?.maxReplicas, name).to.equal(50);
      expect(hpa?.spec?.metrics).to.deep.equal([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ]);
    }
    expect(r.autoscalers.map((h) => h.spec?.scaleTargetRef.name)).to.not.include('worker');
  });

  it('production-queue-scaling: the worker scales on the waiting jobs the worker counts', () => {
    const r = rendered('production-queue-scaling');
    const hpa = r.autoscalers.find((h) => h.spec?.scaleTargetRef.name === 'worker');
    const metric = hpa?.spec?.metrics?.[0];
    expect(metric?.type).to.equal('External');
    // The adapter's example rule turns rushline_queue_jobs{state="waiting"} into this external metric.
    const rules = readFileSync(
      path.join(K8S_DIR, 'overlays', 'production-queue-scaling', 'prometheus-adapter-rules.example.yaml'),
      'utf8',
    );
    expect(rules).to.contain(`as: ${metric?.external?.metric.name}`);
    const gauge = readFileSync(path.join(root, 'core/metrics/queue-metrics.ts'), 'utf8');
    const series = /seriesQuery: '(\w+)\{/.exec(rules)?.[1];
    expect(gauge).to.contain(`name: '${series}'`);
  });

  describe('probes and scrapes against the real apps', () => {
    const running: AppProcess[] = [];
    after(async () => {
      await Promise.all(running.map((p) => p.stop()));
    });

    it("each app answers 200 on its manifest's probe and scrape paths", async () => {
      const r = rendered('production');
      const checks: { app: AppName; paths: string[] }[] = [];
      for (const d of r.deployments) {
        for (const c of containersOf(d)) {
          if (c.image?.includes('rushline-gateway')) continue;
          const app = appOf(sourceOf(c));
          if (!app) continue;
          const scrape = d.spec?.template.metadata?.annotations?.['prometheus.io/path'] ?? '';
          const paths = [c.readinessProbe?.httpGet?.path, c.livenessProbe?.httpGet?.path, scrape];
          checks.push({ app, paths: paths.map((p) => p ?? '') });
        }
      }
      expect(checks.map((c) => c.app)).to.have.members(['api', 'waiting-room', 'worker']);
      // The run's own database and Redis prefix (test/global-setup.ts), each app on a free port.
      const started = await Promise.allSettled(checks.map((c) => startAppProcess(c.app)));
      const procs = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
      // Those that did start are stopped by after(), even when another one failed to.
      running.push(...procs.filter((p): p is AppProcess => p !== undefined));
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      // Readiness may trail "listening" by a moment on a busy machine (its checks ask MySQL and Redis):
      // each path gets a generous while to answer 200, as a kubelet's probe would retry.
      const statusOf = async (url: string): Promise<number> => {
        let status = 0;
        for (let attempt = 0; attempt < 40 && status !== 200; attempt += 1) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, 500));
          status = await fetch(url).then(
            (res) => res.status,
            () => 0,
          );
        }
        return status;
      };
      for (const [i, check] of checks.entries()) {
        for (const p of check.paths) {
          expect(await statusOf(`${procs[i]?.url}${p}`), `${check.app} ${p}`).to.equal(200);
        }
      }
    });
  });
});
