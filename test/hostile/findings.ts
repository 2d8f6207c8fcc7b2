import { appendFileSync } from 'node:fs';
import type { RawRequest, RawResponse } from '../support/raw-http.js';
import { FRAMING_TRICKS } from './hostile-requests.js';

/** A failing case as two readable lines: what was sent, what came back. */
export interface Finding {
  /** What failed and what in the request seems to cause it, e.g. `status 500 · enc=br`; dedupes. */
  title: string;
  /** Where it was seen first. */
  route: string;
  request: string;
  response: string;
}

const STANDARD = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const PARSER_TRICKS = new Set<string>(FRAMING_TRICKS);

/**
 * The likeliest cause of a failure in a request, so one cause makes one finding however many routes
 * show it (the whole request is in the finding, so a wrong guess costs a look, not a miss).
 */
export function causeOf(req: RawRequest, trick: string, problem: string): string | undefined {
  const header = (name: string) => req.headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const framing = PARSER_TRICKS.has(trick) ? trick : undefined;
  const line = !STANDARD.has(req.method)
    ? `method ${req.method}`
    : req.target.includes(' ')
      ? 'space in request line'
      : undefined;
  let escape: string | undefined;
  try {
    decodeURIComponent(req.target.split('?')[0] ?? '');
  } catch {
    escape = 'invalid %-escape in path';
  }
  const enc = header('content-encoding');
  const charset = /charset=([^;]+)/i.exec(header('content-type') ?? '')?.[1];
  const body = [
    escape,
    enc === undefined ? undefined : `Content-Encoding: ${enc}`,
    charset && !/^"?utf-8"?$/i.test(charset) ? `charset=${charset}` : undefined,
  ];
  // A 500 comes from app code, which node's parser let through; anything else most likely from the parser.
  const order = /^status 5/.test(problem) ? [...body, framing, line] : [framing, line, ...body];
  return order.find((c) => c !== undefined) ?? (trick || undefined);
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
const printable = (b: Buffer | undefined): string =>
  b ? clip(JSON.stringify(b.toString('latin1')), 240) : '(no body)';

export function describeRequest(req: RawRequest): string {
  const headers = req.headers.map(([n, v]) => `${n}: ${clip(v, 60)}`).slice(0, 12);
  const more = req.headers.length > 12 ? ` +${req.headers.length - 12} headers` : '';
  return `${req.method} ${clip(req.target, 160)} [${headers.join(' | ')}${more}] body ${printable(req.body)}`;
}

export function describeResponse(res: RawResponse | { error: string }): string {
  if ('error' in res) return res.error;
  return `${res.status} ${res.headers['content-type'] ?? '(no content-type)'} ${printable(res.body)}`;
}

/** Appends findings to the file named by HOSTILE_FINDINGS, for whoever fixes the edge; no-op without it. */
export function recordFindings(findings: Finding[], suite: string): void {
  const file = process.env.HOSTILE_FINDINGS;
  if (!file || findings.length === 0) return;
  const lines = findings.map(
    (f) => `- **${f.title}** (first on ${f.route})\n  - request: ${f.request}\n  - response: ${f.response}\n`,
  );
  appendFileSync(file, `\n## ${suite}, ${new Date().toISOString()}\n${lines.join('')}`);
}

/** One finding per title (the first case that showed it), in order. */
export function distinct(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) if (!seen.has(f.title)) seen.set(f.title, f);
  return [...seen.values()];
}
