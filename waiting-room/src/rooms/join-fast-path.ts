import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { bearerToken, verifyAccessToken } from '../../../core/auth/access-token.js';
import type { Config } from '../../../core/config.js';
import { PayloadTooLargeError, UnauthorizedError } from '../../../core/errors.js';
import { toErrorResponse } from '../../../core/http/error-handler.js';
import { parseInput } from '../../../core/http/validate.js';
import type { Logger } from '../../../core/logger.js';
import { joinBody, roomParams } from './room-routes.js';
import type { RoomService } from './room-service.js';

const JOIN_PATH = /^\/rooms\/([^/?#]+)\/join\/?(?:\?.*)?$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The headers helmet sets on every response, computed once (they don't depend on the request). */
function helmetHeaders(options: HelmetOptions | undefined): [string, string][] {
  const headers: [string, string][] = [];
  const fake = {
    setHeader: (name: string, value: string | number | string[]) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, fake as unknown as ServerResponse, () => undefined);
  return headers;
}

function parseLimit(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(limit);
  const n = Number(m?.[1] ?? 100);
  const unit = (m?.[2] ?? 'kb').toLowerCase();
  return n * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

class MalformedJsonError extends Error {
  readonly type = 'entity.parse.failed';
}

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const isJson = /^application\/(?:[\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit)
    return Promise.reject(new PayloadTooLargeError('PAYLOAD_TOO_LARGE', 'The request body is too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new PayloadTooLargeError('PAYLOAD_TOO_LARGE', 'The request body is too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      // Like express.json: a body that isn't declared JSON is no body at all, and fails validation.
      if (!isJson || size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch {
        reject(new MalformedJsonError('malformed JSON'));
      }
    });
  });
}

/**
 * `POST /rooms/:roomId/join` served straight from node's HTTP server, before express: the hottest
 * endpoint of a rush, where express's router and middleware chain cost more than the join itself
 * (one Redis round trip). It keeps everything the express route does: the same security headers
 * (helmet's, computed once), request ids, access-token auth, zod validation, the same JSON errors and
 * 413 limit, and error logging. Returns false for any other request, which then goes to express.
 */
export function createJoinFastPath(deps: {
  cfg: Pick<Config, 'auth' | 'http'>;
  rooms: RoomService;
  logger: Logger;
  helmet?: HelmetOptions;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const headers = helmetHeaders(deps.helmet);
  const limit = parseLimit(deps.cfg.http.bodyLimit);

  const send = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const json = JSON.stringify(body);
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const [name, value] of Object.entries(extra)) res.setHeader(name, value);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
    });
    res.end(json);
  };

  return (req, res) => {
    if (req.method !== 'POST') return false;
    const match = JOIN_PATH.exec(req.url ?? '');
    if (!match) return false;
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    void (async () => {
      try {
        // The order express gives: body parsing (413, malformed JSON), then auth, then path and body checks.
        const body = await readJson(req, limit);
        const token = bearerToken(req.headers.authorization);
        if (!token)
          throw new UnauthorizedError(
            'UNAUTHENTICATED',
            'Sign in: send Authorization: Bearer <access token>',
          );
        const user = verifyAccessToken(deps.cfg.auth, token);
        const { roomId } = parseInput(roomParams, { roomId: match[1] }, 'path');
        parseInput(joinBody, body);
        const view = await deps.rooms.join(roomId, user.id);
        send(res, view.created ? 201 : 200, view);
      } catch (err) {
        const { status, body, headers: extra } = toErrorResponse(err, deps.logger.child({ reqId: id }));
        if (!res.headersSent) send(res, status, body, extra);
        else res.end();
      }
    })();
    return true;
  };
}
