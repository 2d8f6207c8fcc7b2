import { z } from 'zod';

/**
 * How one HTTP route is described in the OpenAPI document. Each router keeps a table of these beside it
 * (e.g. `catalog-route-docs.ts`), naming the very zod schemas the route parses its input with, so the
 * document cannot describe an input the route does not check. The route-coverage test compares every
 * table with the express router stacks, so a route without a row (or a row without a route) fails.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call it: nobody in particular; a bearer access token (JWT); a staff one; a bearer token plus the
 * waiting room's admission token (`X-Admission-Token`); the staff cookie session of the /admin pages;
 * for /metrics, a caller inside the deployment or the METRICS_TOKEN bearer (ADR 016).
 */
export type RouteSecurity = 'public' | 'bearer' | 'staff' | 'admission' | 'staff-session' | 'metrics';

export interface ResponseDoc {
  description: string;
  /** The body's schema; absent for an empty body (204) or one described only by its content type. */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
}

export interface RouteDoc {
  method: HttpMethod;
  /** The express pattern as mounted, e.g. `/api/terms/:termId/sections`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  security: RouteSecurity;
  /** The path parameters' schema (an object keyed by `:name`), as the route parses `req.params`. */
  params?: z.ZodObject;
  /** The query string's schema, an object (refinements allowed), as the route parses `req.query`. */
  query?: z.ZodType;
  /** The body's schema, as the route parses `req.body`. */
  body?: z.ZodType;
  /** Default application/json. */
  bodyContentType?: string;
  /** Request headers the route reads (other than the credentials in `security`). */
  headers?: { name: string; required: boolean; description: string; schema: z.ZodType }[];
  /** Each status the route answers with itself; error statuses use `errorResponse`. */
  responses: Record<number, ResponseDoc>;
}

/**
 * The body of every 4xx/5xx answer (core/http/error-handler.ts): one shared component in the document.
 * `details` is what the error carries (the fields of a 400, `retryAfterS` of a 429); `reference` is the
 * id logged with a 500 or 503.
 */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    message: z.string(),
    details: z.unknown().optional(),
    reference: z.string().optional(),
  }),
});

/** An answer with the shared error body (`#/components/schemas/Error` in the document). */
export const errorResponse = (description: string): ResponseDoc => ({ description, schema: errorBodySchema });

/** The error answers most routes share, by status; a table picks the ones its route can give. */
export const errors = {
  400: errorResponse('The input is malformed (VALIDATION_FAILED names each bad field)'),
  401: errorResponse('No valid access token (UNAUTHENTICATED, TOKEN_EXPIRED…)'),
  403: errorResponse('Signed in, but not allowed (FORBIDDEN, ADMISSION_REQUIRED…)'),
  404: errorResponse('Nothing with that id for you'),
  409: errorResponse('It conflicts with the current state (seat taken, already done…)'),
  413: errorResponse('The body is too large'),
  422: errorResponse('Understood, but refused by a business rule'),
  428: errorResponse('A precondition header is missing'),
  429: errorResponse('Too many requests; Retry-After says when to try again'),
  503: errorResponse('A dependency is away; retry shortly'),
} as const;
