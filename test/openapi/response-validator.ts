import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../../core/openapi/openapi-document.js';

/** One answer seen by a test: which app gave it, to what, and what came back. */
export interface RecordedResponse {
  method: string;
  /** The path asked for, query string left off, e.g. `/api/terms/12/sections`. */
  path: string;
  status: number;
  contentType: string | undefined;
  body: unknown;
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks recorded answers against one OpenAPI document with Ajv's draft 2020-12 (OpenAPI 3.1's dialect).
 * The document is added whole, so a response schema's `$ref: '#/components/schemas/Error'` resolves
 * within it; each response schema is then compiled by its JSON pointer.
 */
export class ResponseValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly templates: { template: string; pattern: RegExp }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(doc, 'openapi');
    // Fixed paths before templated ones, so /rooms/openapi.json is not taken for /rooms/{roomId}.
    this.templates = Object.keys(doc.paths)
      .sort((a, b) => (a.includes('{') ? 1 : 0) - (b.includes('{') ? 1 : 0))
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
      }));
  }

  /** The problems with one answer, each naming the request; empty when it matches the document. */
  check(r: RecordedResponse): string[] {
    const what = `${r.method} ${r.path} → ${r.status}`;
    const template = this.templates.find((t) => t.pattern.test(r.path))?.template;
    if (!template) return [`${what}: no path of the document matches`];
    const op = this.doc.paths[template]?.[r.method.toLowerCase()] as Operation | undefined;
    if (!op) return [`${what}: ${template} has no ${r.method}`];
    const response = op.responses?.[String(r.status)];
    if (!response) return [`${what}: status ${r.status} is not documented for ${r.method} ${template}`];
    const mediaType = r.contentType?.split(';')[0]?.trim();
    if (!response.content) {
      return r.body === undefined || r.body === '' ? [] : [`${what}: documented without a body, got one`];
    }
    if (!mediaType || !response.content[mediaType]) {
      return [`${what}: content type ${mediaType ?? '(none)'} is not documented`];
    }
    if (mediaType !== 'application/json') return [];
    const pointer = [
      'paths',
      template,
      r.method.toLowerCase(),
      'responses',
      String(r.status),
      'content',
      mediaType,
      'schema',
    ]
      .map(escapePointer)
      .join('/');
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi#/${pointer}`);
      if (!validate) return [`${what}: no schema at ${pointer}`];
      this.compiled.set(pointer, validate);
    }
    if (validate(r.body)) return [];
    return (validate.errors ?? []).map((e) => `${what}: ${e.instancePath || '(body)'} ${e.message ?? ''}`);
  }
}
