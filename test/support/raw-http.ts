import { connect } from 'node:net';

/**
 * One HTTP/1.1 exchange over a bare TCP socket. Client libraries refuse (or repair) exactly what hostile
 * input needs: unknown methods, malformed %-encodings, a Content-Length beside a Transfer-Encoding,
 * oversized headers, bodies that claim an encoding they don't have. This sends the bytes as given.
 */
export interface RawRequest {
  method: string;
  /** Sent as is on the request line, so it may hold invalid %-encodings. */
  target: string;
  /** In order; names may repeat. Host and Connection: close are added unless already present. */
  headers: [string, string][];
  body?: Buffer;
  /** false: leave Content-Length to the caller's headers (conflicts, lies). */
  contentLength?: boolean;
  /** Sends the head, then the body this much later: the server's handler runs before the body arrives. */
  bodyDelayMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** Everything received, for reports. */
  raw: Buffer;
}

export async function sendRaw(
  url: string,
  req: RawRequest,
  timeoutMs = 15_000,
): Promise<RawResponse | { error: string }> {
  const { hostname, port } = new URL(url);
  const names = new Set(req.headers.map(([n]) => n.toLowerCase()));
  const headers: [string, string][] = [...req.headers];
  if (!names.has('host')) headers.unshift(['Host', `${hostname}:${port}`]);
  if (!names.has('connection')) headers.push(['Connection', 'close']);
  const body = req.body ?? Buffer.alloc(0);
  if (req.contentLength !== false && !names.has('content-length') && !names.has('transfer-encoding')) {
    if (body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method)) {
      headers.push(['Content-Length', String(body.length)]);
    }
  }
  const head = `${req.method} ${req.target} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n`;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ error: `no complete answer within ${timeoutMs} ms` });
    }, timeoutMs);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const parsed = parseResponse(raw, req.method === 'HEAD', true);
      resolve(
        parsed ?? { error: raw.length === 0 ? 'connection closed with no answer' : 'unparsable answer' },
      );
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One answer is all we read: a lying Content-Length can make the server see a second "request".
      const parsed = parseResponse(Buffer.concat(chunks), req.method === 'HEAD');
      if (parsed) {
        finish();
        socket.destroy();
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
    // No half-close after writing: node's server (allowHalfOpen off) drops an unanswered request when the
    // client's side ends, which no real client does; Connection: close ends the exchange instead.
    if (req.bodyDelayMs === undefined) {
      socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    } else {
      socket.write(Buffer.from(head, 'latin1'));
      setTimeout(() => {
        if (!socket.destroyed) socket.write(body);
      }, req.bodyDelayMs);
    }
  });
}

/** The first complete response in `raw`, or undefined while it is still arriving. */
function parseResponse(raw: Buffer, isHead: boolean, closed = false): RawResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const rest = raw.subarray(end + 4);
  if (status === 100) return parseResponse(rest, isHead, closed);
  if (isHead || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), raw };
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body = dechunk(rest);
    return body ? { status, headers, body, raw } : undefined;
  }
  const length = headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return rest.length >= n ? { status, headers, body: rest.subarray(0, n), raw } : undefined;
  }
  // Neither length nor chunks: the body runs to the close.
  return closed ? { status, headers, body: rest, raw } : undefined;
}

function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return undefined;
    if (size === 0) return Buffer.concat(parts);
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
