import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const DASHBOARDS_DIR = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'deploy',
  'grafana',
  'dashboards',
);

const target = z.object({ refId: z.string(), expr: z.string().min(1) });
const panel = z.object({ id: z.number(), title: z.string(), targets: z.array(target).min(1) });
const variable = z.object({ name: z.string(), definition: z.string() });
const dashboardSchema = z.object({
  uid: z.string(),
  title: z.string(),
  panels: z.array(panel).min(1),
  templating: z.object({ list: z.array(variable) }),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

export interface PanelQuery {
  where: string;
  expr: string;
}

export function loadDashboards(): Dashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => dashboardSchema.parse(JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8'))));
}

/**
 * Grafana's variables as Grafana fills them when "All" is chosen: a room or app variable becomes the
 * regex `.*`; `$__rate_interval` a minute (at least four scrapes at any interval the tests and compose use).
 */
export function asGrafanaWouldRun(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '1m')
    .replace(/\$__interval|\$\{__interval\}/g, '15s')
    .replace(/\$\{?(room|app)\}?/g, '.*');
}

export function panelQueries(dashboards: Dashboard[]): PanelQuery[] {
  return dashboards.flatMap((d) =>
    d.panels.flatMap((p) =>
      p.targets.map((t) => ({
        where: `${d.title} › ${p.title} (${t.refId})`,
        expr: asGrafanaWouldRun(t.expr),
      })),
    ),
  );
}
