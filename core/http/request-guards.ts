import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors.js';

/**
 * Whether a request target carries a %-escape that does not decode (`/rooms/%FF`, `/a%E0%A4%A`). express
 * would only notice inside a route with a parameter, and every other route would see a path that means
 * nothing; refusing it once, in front, gives every route (health included) the same 400.
 */
export function hasMalformedPath(url: string | undefined): boolean {
  if (!url?.includes('%')) return false;
  const q = url.indexOf('?');
  try {
    decodeURIComponent(q === -1 ? url : url.slice(0, q));
    return false;
  } catch {
    return true;
  }
}

export function assertWellFormedPath(url: string | undefined): void {
  if (hasMalformedPath(url)) {
    throw new BadRequestError('MALFORMED_PATH', 'The request path has an invalid %-escape');
  }
}

/** Connect-style, so express and the raw join path (which runs without express) share it. */
export function wellFormedPath(req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void) {
  try {
    assertWellFormedPath(req.url);
    next();
  } catch (err) {
    next(err);
  }
}

/**
 * JSON bodies are UTF-8 only (RFC 8259 §8.1). body-parser takes any `utf-*` charset, and iconv-lite
 * decodes UTF-7, so `charset=utf-7` would let a body say `<` without the byte `<` ever appearing in it.
 */
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

export function utf8Only(req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void) {
  // A request without a body has nothing to decode (the same test body-parser makes).
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
  if (!hasBody) return next();
  const charset = CHARSET.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
  next(new UnsupportedMediaTypeError('UNSUPPORTED_CHARSET', 'Request bodies must be UTF-8'));
}

/** body-parser's `verify`: bytes that are not UTF-8 would otherwise become U+FFFD and pass unnoticed. */
export function verifyUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  if (!isUtf8(buf)) throw new BadRequestError('MALFORMED_UTF8', 'The request body is not valid UTF-8');
}
