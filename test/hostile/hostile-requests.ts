import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RawRequest } from '../support/raw-http.js';
import {
  ACCESS_KINDS,
  ADMISSION_KINDS,
  type AccessKind,
  type AdmissionKind,
  type HostileTokens,
} from './hostile-tokens.js';
import { HOSTILE_IDS, hostileJson, rawBodyText, shapedBody } from './hostile-values.js';
import type { RouteEntry } from './route-inventory.js';

/** One generated request and what it was made of, for the checks and the report. */
export interface HostileCase {
  route: RouteEntry;
  request: RawRequest;
  access: AccessKind | 'none';
  /** Framing or header trick applied, if any ('' for none). */
  trick: string;
}

/**
 * Values for each path parameter name the apps use. A route whose parameter is not here fails the suite
 * (route coverage), so whoever adds `:somethingNew` also says what hostile values it gets.
 */
export function paramValues(realIds: number[]): Record<string, fc.Arbitrary<string>> {
  const id = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_IDS) },
    { weight: 2, arbitrary: fc.constantFrom(...realIds.map(String)) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent) },
  );
  return {
    id,
    termId: id,
    sectionId: id,
    seatId: id,
    roomId: id,
    file: fc.oneof(
      fc.constantFrom(
        'swagger-ui.css',
        'swagger-ui-bundle.js',
        '..%2F..%2Fpackage.json',
        '%2e%2e%2f%2e%2e%2f.env',
        '.env',
        'index.html%00.js',
        '%FF.js',
        'a'.repeat(300),
      ),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
    ),
    action: fc.oneof(
      fc.constantFrom('prequeue', 'open', 'close', 'pause', 'resume', 'PAUSE', 'open%00', '__proto__', '%FF'),
      id,
    ),
  };
}

const STANDARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ODD_METHODS = ['PROPFIND', 'FOO', 'get', 'TRACE', 'M-SEARCH', 'PURGE', 'SEARCH'];

const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom(
            'limit',
            'cursor',
            'q',
            'after',
            'termId',
            'status',
            '__proto__[x]',
            'a[]',
            'page',
            'sort',
          ),
          fc.oneof(fc.constantFrom(...HOSTILE_IDS), fc.string().map(encodeURIComponent)),
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?%FF', '?a=%', '?' + 'x'.repeat(9_000), '?&&&', '?limit=1&limit=2'),
  },
);

const pathTrick = fc.constantFrom('', '', '', '', '/', '//', ';x=1', '%2F', '/%2e%2e/', '%00', '.json');

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-7',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=x-unknown',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  '*/*',
  ';;;',
  '',
);

type Encoding =
  | 'none'
  | 'gzip'
  | 'gzip-bad'
  | 'gzip-bomb'
  | 'br'
  | 'br-bad'
  | 'deflate'
  | 'deflate-bad'
  | 'chain'
  | 'unknown';
const encodings = fc.constantFrom<Encoding>(
  'none',
  'none',
  'none',
  'gzip',
  'gzip-bad',
  'gzip-bomb',
  'br',
  'br-bad',
  'deflate',
  'deflate-bad',
  'chain',
  'unknown',
);

let bomb: Buffer | undefined;

function encode(enc: Encoding, body: Buffer): { body: Buffer; header?: string } {
  switch (enc) {
    case 'none':
      return { body };
    case 'gzip':
      return { body: gzipSync(body), header: 'gzip' };
    case 'gzip-bad':
      return { body, header: 'gzip' };
    case 'gzip-bomb':
      // 20 MB of spaces in about 20 kB: the limit must hold for what the body inflates to.
      return { body: (bomb ??= gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20))), header: 'gzip' };
    case 'br':
      return { body: brotliCompressSync(body), header: 'br' };
    case 'br-bad':
      return { body, header: 'br' };
    case 'deflate':
      return { body: deflateSync(body), header: 'deflate' };
    case 'deflate-bad':
      return { body, header: 'deflate' };
    case 'chain':
      return { body: gzipSync(body), header: 'gzip, br' };
    case 'unknown':
      return { body, header: 'x-snappy' };
  }
}

const bodies = fc.oneof(
  { weight: 4, arbitrary: shapedBody.map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 2, arbitrary: hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 2, arbitrary: rawBodyText.map((s) => Buffer.from(s)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.alloc(0),
      Buffer.from('['.repeat(20_000)),
      Buffer.from(`{"a":"${'x'.repeat(200 * 1024)}"}`),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
      Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80]),
      Buffer.from('{"a":1}', 'utf16le'),
    ),
  },
);

const authForms = fc.constantFrom(
  (t: string) => `Bearer ${t}`,
  (t: string) => `Bearer ${t}`,
  (t: string) => `Bearer ${t}`,
  (t: string) => `bearer ${t}`,
  (t: string) => `Bearer  ${t} `,
  (t: string) => `Basic ${Buffer.from(`admin:${t}`).toString('base64')}`,
  (t: string) => `Token ${t}`,
  (t: string) => `Bearer ${t} ${t}`,
  () => 'Bearer',
  () => 'Bearer %FF',
  (t: string) => `Digest username="${t}"`,
);

/** Tricks on the framing and the header block, which node's HTTP parser meets before any app code. */
export const FRAMING_TRICKS = [
  'cl-te-conflict',
  'te-unknown',
  'cl-short',
  'cl-nonnumeric',
  'cl-duplicate',
  'header-oversized',
  'headers-many',
  'expect-continue',
  'expect-other',
] as const;
/** Odd header values the apps themselves read. */
const HEADER_TRICKS = ['forwarded-junk', 'origin-evil', 'accept-odd', 'cookie-junk'] as const;
type Trick = '' | (typeof FRAMING_TRICKS)[number] | (typeof HEADER_TRICKS)[number];
/** Most cases use none. */
const tricks = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Trick>('') },
  { weight: 3, arbitrary: fc.constantFrom<Trick>(...FRAMING_TRICKS, ...HEADER_TRICKS) },
);

function applyTrick(trick: Trick, req: RawRequest): void {
  const h = req.headers;
  const len = String(req.body?.length ?? 0);
  switch (trick) {
    case '':
      return;
    case 'cl-te-conflict':
      req.contentLength = false;
      h.push(['Content-Length', len], ['Transfer-Encoding', 'chunked']);
      req.body = Buffer.concat([
        Buffer.from(`${(req.body?.length ?? 0).toString(16)}\r\n`),
        req.body ?? Buffer.alloc(0),
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      return;
    case 'te-unknown':
      req.contentLength = false;
      h.push(['Transfer-Encoding', 'gzip']);
      return;
    case 'cl-short':
      req.contentLength = false;
      h.push(['Content-Length', String(Math.max(0, (req.body?.length ?? 0) - 1))]);
      return;
    case 'cl-nonnumeric':
      req.contentLength = false;
      h.push(['Content-Length', `+${len}`]);
      return;
    case 'cl-duplicate':
      req.contentLength = false;
      h.push(['Content-Length', len], ['Content-Length', `${len}0`]);
      return;
    case 'header-oversized':
      h.push(['X-Padding', 'p'.repeat(20 * 1024)]);
      return;
    case 'headers-many':
      for (let i = 0; i < 2_100; i++) h.push([`X-H${i}`, 'v']);
      return;
    case 'expect-continue':
      h.push(['Expect', '100-continue']);
      return;
    case 'expect-other':
      h.push(['Expect', 'something-else']);
      return;
    case 'forwarded-junk':
      h.push(
        ['X-Forwarded-For', '1.2.3.4, %FF, ::ffff:999.1.1.1, , unknown'],
        ['X-Forwarded-Proto', 'gopher'],
      );
      return;
    case 'origin-evil':
      h.push(['Origin', 'https://evil.example'], ['Access-Control-Request-Method', 'DELETE']);
      return;
    case 'accept-odd':
      h.push(
        ['Accept', 'text/csv;q=2, */*;q=-1'],
        ['Accept-Encoding', 'gzip;q=x, br, *;q=0'],
        ['Range', 'bytes=9-1'],
      );
      return;
    case 'cookie-junk':
      h.push(['Cookie', `rushline_admin=${'%FF'.repeat(10)}; rushline_admin=x.y.z; =; a`]);
      return;
  }
}

/** Every generated request for the given routes. */
export function hostileCase(
  routes: RouteEntry[],
  params: Record<string, fc.Arbitrary<string>>,
  tokens: HostileTokens,
): fc.Arbitrary<HostileCase> {
  const route = fc.constantFrom(...routes);
  return route.chain((r) => {
    const paramArbs = r.params.map((p) => params[p] ?? fc.constant('1'));
    return fc
      .record({
        params: fc.tuple(...paramArbs),
        method: fc.oneof(
          { weight: 8, arbitrary: fc.constant(r.method === '*' ? 'GET' : r.method) },
          { weight: 2, arbitrary: fc.constantFrom(...STANDARD_METHODS) },
          { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) },
        ),
        mountTail: fc.constantFrom(
          '',
          '/',
          '/x',
          '/%FF',
          '/..%2F..%2Fpackage.json',
          '/api/queues',
          '/index.html',
          '/a/b/c',
        ),
        trickPath: pathTrick,
        query: queryString,
        access: fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom<AccessKind>('student', 'staff') },
          { weight: 1, arbitrary: fc.constant<'none'>('none') },
          { weight: 3, arbitrary: fc.constantFrom(...ACCESS_KINDS) },
        ),
        garbage: fc.string({ maxLength: 40 }),
        authForm: authForms,
        admission: fc.option(fc.constantFrom<AdmissionKind>(...ADMISSION_KINDS), { nil: undefined }),
        idempotencyKey: fc.option(
          fc.oneof(
            fc.uuid(),
            fc.string(),
            fc.constantFrom('', 'short', 'k'.repeat(129), 'key-%FF', 'key\u00e9\u00e9\u00e9\u00e9\u00e9'),
          ),
          { nil: undefined },
        ),
        body: bodies,
        contentType: fc.option(contentTypes, { nil: undefined, freq: 4 }),
        encoding: encodings,
        trick: tricks,
      })
      .map((g): HostileCase => {
        let path = r.path;
        r.params.forEach((name, i) => {
          path = path.replace(`:${name}`, () => g.params[i] ?? '');
        });
        if (r.method === '*') path += g.mountTail;
        const target = `${path}${g.trickPath}${g.query}`;
        const headers: [string, string][] = [];
        if (g.access !== 'none') {
          headers.push(['Authorization', g.authForm(tokens.access(g.access, g.garbage))]);
        }
        if (g.admission) headers.push(['X-Admission-Token', tokens.admission(g.admission, g.garbage)]);
        if (g.idempotencyKey !== undefined) headers.push(['Idempotency-Key', g.idempotencyKey]);
        const sendsBody = !['GET', 'HEAD', 'OPTIONS'].includes(g.method) || g.encoding !== 'none';
        let body: Buffer | undefined;
        if (sendsBody) {
          const enc = encode(g.encoding, g.body);
          body = enc.body;
          if (enc.header) headers.push(['Content-Encoding', enc.header]);
          if (g.contentType !== undefined) headers.push(['Content-Type', g.contentType]);
        }
        const request: RawRequest = { method: g.method, target, headers, body };
        applyTrick(g.trick, request);
        return { route: r, request, access: g.access, trick: g.trick };
      });
  });
}
