import { z } from 'zod';
import { errorBodySchema, type ResponseDoc, type RouteDoc, type RouteSecurity } from './route-doc.js';

/** A JSON Schema (draft 2020-12, OpenAPI 3.1's own dialect) as zod writes it. */
type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: { url: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  tags: { name: string }[];
}

const JSON_SCHEMA_OPTIONS = {
  target: 'draft-2020-12',
  // A refinement or transform has no JSON Schema form: left out (the type it checks stays), never thrown.
  unrepresentable: 'any',
  // A Date has no JSON form of its own; on the wire it is an ISO 8601 string (`z.coerce.date()` inputs).
  override: (ctx: { zodSchema: { _zod: { def: { type: string } } }; jsonSchema: object }) => {
    if (ctx.zodSchema._zod.def.type === 'date')
      Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
  },
} as const;

const withoutDialect = (json: JsonSchema): JsonSchema => {
  delete json.$schema;
  return json;
};

/**
 * `io: 'input'` for what a client sends (a `decimalId` is the string it parses, a defaulted field is
 * optional); `'output'` for what it gets back.
 */
const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema =>
  withoutDialect(z.toJSONSchema(schema, { ...JSON_SCHEMA_OPTIONS, io }));

const componentRef = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/**
 * The bodies of the document, as components: the app's named views (SectionView, …) under their names,
 * any other body under its operation's name. Converted together, per direction, so a body that holds a
 * named view refers to it instead of repeating it.
 */
class Components {
  private readonly registries = {
    input: z.registry<{ id: string }>(),
    output: z.registry<{ id: string }>(),
  };

  constructor(named: Record<string, z.ZodType>) {
    for (const [id, schema] of Object.entries(named)) this.registries.output.add(schema, { id });
  }

  ref(schema: z.ZodType, io: 'input' | 'output', fallbackId: string): { $ref: string } {
    const registry = this.registries[io];
    const known = registry.get(schema)?.id;
    if (known) return componentRef(known);
    registry.add(schema, { id: fallbackId });
    return componentRef(fallbackId);
  }

  schemas(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const io of ['input', 'output'] as const) {
      const { schemas } = z.toJSONSchema(this.registries[io], {
        ...JSON_SCHEMA_OPTIONS,
        io,
        uri: (id) => `#/components/schemas/${id}`,
      }) as { schemas: Record<string, JsonSchema> };
      for (const [id, json] of Object.entries(schemas)) {
        if (out[id]) throw new Error(`Two components named ${id}`);
        delete json.$id;
        out[id] = withoutDialect(json);
      }
    }
    return out;
  }
}

const SECURITY: Record<RouteSecurity, Record<string, string[]>[] | undefined> = {
  public: [],
  bearer: [{ bearerAuth: [] }],
  staff: [{ bearerAuth: ['staff'] }],
  admission: [{ bearerAuth: [], admissionToken: [] }],
  'staff-session': [{ staffSession: [] }],
  // `{}`: also without it, from a private address inside the deployment.
  metrics: [{ metricsToken: [] }, {}],
};

/** `/api/terms/:termId/sections` → `/api/terms/{termId}/sections`. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:(\w+)/g, '{$1}');

/** `GET /api/terms/:termId/sections` → `getApiTermsTermIdSections`; a trailing slash (a page) adds `Page`. */
function operationIdOf(route: RouteDoc): string {
  const words = route.path
    .replace(/\/$/, '/page')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function parametersOf(route: RouteDoc): unknown[] {
  const out: unknown[] = [];
  const add = (where: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const json = toSchema(schema, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, prop] of Object.entries(props)) {
      const { description, ...rest } = prop;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  };
  add('path', route.params);
  add('query', route.query);
  for (const h of route.headers ?? []) {
    out.push({
      name: h.name,
      in: 'header',
      required: h.required,
      description: h.description,
      schema: toSchema(h.schema, 'input'),
    });
  }
  return out;
}

function responseOf(r: ResponseDoc, components: Components, id: string): unknown {
  if (!r.schema && !r.contentType) return { description: r.description };
  const schema = r.schema ? components.ref(r.schema, 'output', id) : { type: 'string' };
  return { description: r.description, content: { [r.contentType ?? 'application/json']: { schema } } };
}

function operationOf(route: RouteDoc, components: Components): unknown {
  const parameters = parametersOf(route);
  const operationId = operationIdOf(route);
  const named = operationId.charAt(0).toUpperCase() + operationId.slice(1);
  return {
    operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security: SECURITY[route.security],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              [route.bodyContentType ?? 'application/json']: {
                schema: components.ref(route.body, 'input', `${named}Body`),
              },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, r]) => [
        status,
        responseOf(r, components, `${named}${status}`),
      ]),
    ),
  };
}

/**
 * Builds the OpenAPI 3.1 document of one app from its route tables. Two rows for one method and path
 * are a mistake in a table, refused here so the document never silently keeps only one.
 */
export function buildOpenApiDocument(opts: {
  title: string;
  description: string;
  version: string;
  routes: readonly RouteDoc[];
  /** Bodies shown under their own names (SectionView, …); the shared error is always `Error`. */
  components?: Record<string, z.ZodType>;
}): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const components = new Components({ Error: errorBodySchema, ...opts.components });
  for (const route of opts.routes) {
    const path = openApiPath(route.path);
    const item = (paths[path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new Error(`Two route docs for ${route.method} ${route.path}`);
    item[method] = operationOf(route, components);
  }
  return {
    openapi: '3.1.0',
    info: { title: opts.title, version: opts.version, description: opts.description },
    paths,
    components: {
      schemas: components.schemas(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token from POST /api/auth/login (staff routes need role staff)',
        },
        admissionToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Admission-Token',
          description: "The waiting room's admission token (ES256 JWT) for the room that guards the request",
        },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'METRICS_TOKEN, for a scraper outside the deployment (ADR 016)',
        },
        staffSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'rushline_admin',
          description: 'The staff pages (/admin) session, made by POST /admin/session',
        },
      },
    },
    tags: [...new Set(opts.routes.map((r) => r.tag))].map((name) => ({ name })),
  };
}
