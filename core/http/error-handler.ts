import type { ErrorRequestHandler, RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { AppError, NotFoundError, TooManyRequestsError } from '../errors.js';
import type { Logger } from '../logger.js';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown; reference?: string };
}

/** body-parser reports its failures with a `type`; each maps to a client error of its own. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': {
    status: 400,
    code: 'MALFORMED_JSON',
    message: 'The request body is not valid JSON',
  },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  'encoding.unsupported': {
    status: 415,
    code: 'UNSUPPORTED_ENCODING',
    message: 'Unsupported content encoding',
  },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_CHARSET', message: 'Unsupported charset' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'The request was aborted' },
  'request.size.invalid': {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'Request size did not match content length',
  },
  'parameters.too.many': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Too many parameters' },
};

/**
 * What express and its body parser throw for a request they could not read, without a `type` of their
 * own: a body whose Content-Encoding lies (zlib's or brotli's error, wrapped by body-parser as a 400) and a
 * path parameter that doesn't %-decode (the router's URIError). Anything else carrying a 4xx status
 * (http-errors marks those `expose`) keeps its status under a generic code; its message stays ours.
 */
function readFailure(err: unknown): { status: number; code: string; message: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, status, expose } = err as { code?: unknown; status?: unknown; expose?: unknown };
  if (typeof code === 'string' && /^(Z_|ERR_ZLIB|ERR_BROTLI|ERR__ERROR_FORMAT_PADDING)/.test(code)) {
    return {
      status: 400,
      code: 'BAD_CONTENT_ENCODING',
      message: 'The request body is not encoded as its Content-Encoding says',
    };
  }
  if (err instanceof URIError && status === 400) {
    return { status: 400, code: 'MALFORMED_PATH', message: 'The request path has an invalid %-escape' };
  }
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return { status, code: 'BAD_REQUEST', message: 'The request could not be read' };
  }
  return undefined;
}

/** Errors that mean a dependency is away: the client should retry later, not report a bug. */
function isDependencyDown(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (
    err.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed/.test(err.message)
  ) {
    return 'redis';
  }
  if (err.name === 'KnexTimeoutError' || code === 'ECONNREFUSED' || code === 'PROTOCOL_CONNECTION_LOST') {
    return 'mysql';
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = (req) => {
  throw new NotFoundError('NOT_FOUND', `No route for ${req.method} ${req.path}`);
};

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * Maps anything thrown to the response a client gets: an AppError's own status and code; a body-parser
 * failure (or another request express could not read) to its 4xx; a dependency that is away to 503;
 * anything else to a 500 with a reference id that is logged with the error (never the stack to the
 * client). Shared by express and the raw join path.
 */
export function toErrorResponse(err: unknown, log: Logger): ErrorResponse {
  const parserError = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  const mapped =
    (typeof parserError === 'string' ? BODY_PARSER_ERRORS[parserError] : undefined) ?? readFailure(err);
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    const headers: Record<string, string> =
      err instanceof TooManyRequestsError ? { 'Retry-After': String(err.retryAfterS) } : {};
    return { status: err.status, body, headers };
  }
  if (mapped)
    return {
      status: mapped.status,
      body: { error: { code: mapped.code, message: mapped.message } },
      headers: {},
    };
  const reference = randomUUID();
  const down = isDependencyDown(err);
  if (down) {
    log.warn({ err, reference, dependency: down }, 'dependency unavailable');
    return {
      status: 503,
      body: {
        error: {
          code: 'SERVICE_UNAVAILABLE',
          message: `Temporarily unavailable (${down}); retry shortly`,
          reference,
        },
      },
      headers: { 'Retry-After': '1' },
    };
  }
  log.error({ err, reference }, 'unhandled error');
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'Something went wrong on our side', reference } },
    headers: {},
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body, headers } = toErrorResponse(err, req.log ?? logger);
    if (res.headersSent) {
      res.end();
      return;
    }
    // A file being sent (static assets) has set its own type and validators before failing (a 416 for
    // an unsatisfiable Range): they describe a body that is not coming.
    res.removeHeader('ETag');
    res.removeHeader('Last-Modified');
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(status).type('application/json').json(body);
  };
}
