/** HTTP bits the load generators share: one JSON POST over a keep-alive agent, and naming its failures. */
import { request, type Agent } from 'node:http';

type PostArgs = [
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  /** Called when the request gets its socket: the time before it is spent in the agent's queue. */
  onSocket?: () => void,
];
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/**
 * One POST with a JSON body over a keep-alive agent; resolves with any status, rejects on network or
 * timeout. A reset on a reused keep-alive socket (the server closed it as idle just as it was reused) is
 * sent again once on a fresh one, as node's documentation advises: the server never saw that request.
 */
export async function postJson(...args: PostArgs): Promise<JsonAnswer> {
  try {
    return await postOnce(...args);
  } catch (err) {
    if (!(err as { reusedSocket?: boolean }).reusedSocket) throw err;
    return postOnce(...args);
  }
}

function postOnce(...[agent, url, headers, body, timeoutMs, onSocket]: PostArgs): Promise<JsonAnswer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text) as unknown;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    if (onSocket) req.once('socket', onSocket);
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    req.on('error', (err) =>
      reject(
        Object.assign(err, {
          reusedSocket: req.reusedSocket && (err as { code?: unknown }).code === 'ECONNRESET',
        }),
      ),
    );
    req.end(payload);
  });
}

/** The error code of a JSON error body (`{ error: { code } }` or `{ code }`), if any. */
export const errorCodeOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { error?: { code?: unknown }; code?: unknown };
  const code = b.error?.code ?? b.code;
  return typeof code === 'string' ? code : undefined;
};

/** A network failure's code (ECONNRESET, TIMEOUT…). */
export const networkCodeOf = (err: unknown): string => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message.slice(0, 80) : 'NETWORK';
};
