import type { RawResponse } from '../support/raw-http.js';
import { ACCESS_KINDS, LETS_IN, type AccessKind } from './hostile-tokens.js';

/** Text that only an unhandled error puts in a body: stack frames, paths, driver and SQL messages. */
const INTERNAL_TEXT: RegExp[] = [
  // A V8 stack frame: `at fn (/path/file.js:1:2)`, `at /path/file.js:1:2`, `at node:internal/…:1:2`.
  /\bat (?:[\w$.<>[\] ]+ \()?(?:file:\/\/|\/|node:)[^\s)]*:\d+:\d+/,
  // A path into node_modules (the API document may name the folder in prose).
  /node_modules\//,
  /\/work\/|\/home\/|\/usr\/lib\/node/,
  /\bER_[A-Z_]{3,}/,
  /sqlMessage|sqlState|SQLSTATE/,
  /\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM) .*\b(?:FROM|SET|VALUES|WHERE)\b/,
  /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|AssertionError|ReplyError|ZodError)\b/,
  /ECONNREFUSED|ETIMEDOUT/,
  /Cannot (?:read|set) propert/,
];

/** The first internal-text pattern `text` matches, if any. */
export const internalText = (text: string): RegExp | undefined => INTERNAL_TEXT.find((re) => re.test(text));

/** Tokens nobody may be let in with, whatever route they reach: all but a real user's, validly signed. */
export const REFUSED_ACCESS = new Set<AccessKind>(ACCESS_KINDS.filter((k) => !LETS_IN.has(k)));

/**
 * What every answer to a hostile request must be: under 500; a 4xx that says why in `{ error: { code,
 * message } }`; no internal text; and on a route that needs a signed-in user, a refusal for every token
 * that doesn't name a real, validly signed one. Returns the failures (empty when it passes).
 */
export function checkResponse(
  res: RawResponse | { error: string },
  o: { method: string; access: AccessKind | 'none'; authenticated: boolean },
): string[] {
  if ('error' in res) return [res.error];
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  const text = res.body.toString('utf8');
  const type = res.headers['content-type'] ?? '';
  if (res.status >= 400 && o.method !== 'HEAD') {
    const shape = errorShape(type, text);
    if (shape) problems.push(shape);
  }
  if (res.status >= 400 || type.includes('json')) {
    const leak = internalText(text);
    if (leak) problems.push(`internal text (${leak.source})`);
  }
  if (o.authenticated && o.access !== 'none' && REFUSED_ACCESS.has(o.access) && res.status < 400) {
    problems.push(`a ${o.access} token was let in (${res.status})`);
  }
  return problems;
}

function errorShape(type: string, text: string): string | undefined {
  if (!type.includes('application/json')) return `4xx without JSON (content-type "${type}")`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return '4xx body is not JSON';
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || error.code === '' || typeof error.message !== 'string') {
    return '4xx body is not { error: { code, message } }';
  }
  return undefined;
}
