import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'k8s');

/**
 * The kubectl that renders: the one on PATH (scripts/lib/ensure-kubectl.sh installs Debian's), or
 * KUBECTL=<path>, e.g. to check an older kustomize than the installed one.
 */
export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** Every overlay under deploy/k8s/overlays: each must render and pass the checks. */
export function overlayNames(): string[] {
  return readdirSync(path.join(K8S_DIR, 'overlays'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** One rendered overlay: its objects, each validated against its kind's schema and typed by it. */
export interface Rendered {
  deployments: Deployment[];
  services: Service[];
  configMaps: ConfigMap[];
  namespaces: Namespace[];
  autoscalers: HorizontalPodAutoscaler[];
  disruptionBudgets: PodDisruptionBudget[];
  ingresses: Ingress[];
  jobs: Job[];
}

/** Validates a model (validate() throws where it breaks the Kubernetes schema) and keeps it. */
function add<M extends { validate(): void }>(list: M[], Model: new (data?: never) => M, obj: object): void {
  const model = new Model(obj as never);
  model.validate();
  list.push(model);
}

/** `kubectl kustomize <dir>`'s YAML as plain objects. */
export function kustomize(dir: string): Record<string, unknown>[] {
  const yaml = execFileSync(KUBECTL, ['kustomize', dir], {
    encoding: 'utf8',
    // kustomize v5 warns on stderr about the fields kept for kustomize v2 (ADR 021): not a failure.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);
}

/**
 * Renders an overlay and validates every object with kubernetes-models; an object of a kind the suite
 * does not know fails too, so nothing new slips past unvalidated.
 */
export function renderOverlay(name: string): Rendered {
  const out: Rendered = {
    deployments: [],
    services: [],
    configMaps: [],
    namespaces: [],
    autoscalers: [],
    disruptionBudgets: [],
    ingresses: [],
    jobs: [],
  };
  for (const obj of kustomize(path.join(K8S_DIR, 'overlays', name))) {
    const kind = `${String(obj.apiVersion)} ${String(obj.kind)}`;
    switch (kind) {
      case 'apps/v1 Deployment':
        add(out.deployments, Deployment, obj);
        break;
      case 'v1 Service':
        add(out.services, Service, obj);
        break;
      case 'v1 ConfigMap':
        add(out.configMaps, ConfigMap, obj);
        break;
      case 'v1 Namespace':
        add(out.namespaces, Namespace, obj);
        break;
      case 'autoscaling/v2 HorizontalPodAutoscaler':
        add(out.autoscalers, HorizontalPodAutoscaler, obj);
        break;
      case 'policy/v1 PodDisruptionBudget':
        add(out.disruptionBudgets, PodDisruptionBudget, obj);
        break;
      case 'networking.k8s.io/v1 Ingress':
        add(out.ingresses, Ingress, obj);
        break;
      case 'batch/v1 Job':
        add(out.jobs, Job, obj);
        break;
      default:
        throw new Error(`${name}: ${kind} is not a kind these tests validate; add it to renderOverlay`);
    }
  }
  return out;
}
