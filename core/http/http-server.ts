import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';

/** What node's HTTP parser refuses before any handler runs, as the status and code a client gets. */
const PARSER_REFUSALS: Record<string, Refusal> = {
  HPE_INVALID_METHOD: { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Unknown request method' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    message: 'The request headers are too large',
  },
  HPE_UNEXPECTED_CONTENT_LENGTH: {
    status: 400,
    code: 'CONFLICTING_LENGTH',
    message: 'Content-Length cannot be sent with Transfer-Encoding',
  },
  HPE_INVALID_TRANSFER_ENCODING: {
    status: 400,
    code: 'BAD_TRANSFER_ENCODING',
    message: 'Transfer-Encoding must end in chunked and cannot be sent with Content-Length',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The chunk extensions are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: 'The request took too long' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', message: 'The headers took too long' },
};
const MALFORMED = { status: 400, code: 'MALFORMED_REQUEST', message: 'The request is not valid HTTP/1.1' };

/** The `{ error: { code, message } }` body every refusal here carries. */
function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

function jsonResponse(status: number, code: string, message: string): string {
  const body = errorBody(code, message);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/**
 * The HTTP server of every Rushline process (api, waiting room, worker health). Node's parser answers
 * what it refuses (an unknown method, oversized headers, Content-Length beside Transfer-Encoding, a
 * broken request line) and an unmet `Expect:` with a bare status line; here each gets the JSON error
 * body every other refusal has, so clients and the hostile-input suite see one shape.
 */
export function createHttpServer(handler?: RequestListener): Server {
  const server = handler ? createServer(handler) : createServer();
  // Before any handler (the waiting room adds its own later), so every answer goes through it.
  server.prependListener('request', readBodyBeforeAnswering);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser errs again on every chunk that still arrives; the answer is already out, keep draining.
    if (lingering.has(socket)) return;
    // An answer waiting for its body (below) goes out now: the client's own if its framing was fine and
    // only what followed it is unparsable, the framing refusal if the parser cannot find the body's end.
    const waiting = answersAwaitingBody.get(socket);
    if (waiting && err.code !== 'ECONNRESET' && socket.writable) {
      const refusal = err.code === undefined ? undefined : PARSER_REFUSALS[err.code];
      waiting(refusal && FRAMING_REFUSALS.has(err.code ?? '') ? refusal : undefined);
      closeAfterDraining(socket);
      return;
    }
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const refusal = (err.code && PARSER_REFUSALS[err.code]) || MALFORMED;
    socket.write(jsonResponse(refusal.status, refusal.code, refusal.message));
    closeAfterDraining(socket);
  });
  // Only `100-continue` is an expectation HTTP/1.1 defines; any other is answered 417 (RFC 9110 §10.1.1).
  server.on('checkExpectation', (_req, res) => {
    const body = errorBody('EXPECTATION_FAILED', 'Only Expect: 100-continue is supported');
    res.writeHead(417, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
    res.end(body);
  });
  // `100-continue` is honoured (curl sends it before large bodies): the interim 100 only when a body is
  // to come, then the request's own (JSON) answer. Without a body node's default would send a 100 that
  // announces nothing.
  server.on('checkContinue', (req, res) => {
    const bodyFollows =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    if (bodyFollows) res.writeContinue();
    server.emit('request', req, res);
  });
  return server;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

/** Parser errors that mean the body's end cannot be found: the request itself is refused (RFC 9112 §6.3). */
const FRAMING_REFUSALS = new Set(['HPE_INVALID_TRANSFER_ENCODING', 'HPE_UNEXPECTED_CONTENT_LENGTH']);

/**
 * The answer a connection holds back until its request's body has arrived (see readBodyBeforeAnswering);
 * called with a refusal, it answers that instead when the app's answer has not started.
 */
const answersAwaitingBody = new WeakMap<Duplex, (instead?: Refusal) => void>();

/** Connections answered and closing, whose remaining input is read and dropped. */
const lingering = new WeakSet<Duplex>();

/** How long an answer waits for a body its route did not read before it goes anyway. */
const UNREAD_BODY_WAIT_MS = 5_000;
/** How long a closing connection keeps reading what the client still sends. */
const LINGER_MS = 5_000;

/**
 * Closing a connection the client is still sending on makes the kernel reset it, and a reset throws away
 * the answer the client has received but not yet read. So, as nginx's lingering close does, the answer
 * goes out with our side's FIN, what still arrives is read and dropped, and the connection closes when
 * the client closes it (or after LINGER_MS).
 */
function closeAfterDraining(socket: Duplex): void {
  lingering.add(socket);
  // Node ends a `Connection: close` exchange with destroySoon, which would reset a socket still receiving.
  (socket as Duplex & { destroySoon?: () => void }).destroySoon = () => socket.end();
  socket.end();
  socket.on('data', () => undefined);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * A route that answers without reading the body (a GET with one, a refusal before parsing) would have
 * node close the connection while the client is still sending: the kernel then resets it, and a client
 * still reading loses the end of its answer. So the answer waits until the body has arrived (read and
 * dropped), as body-parser does for its own refusals. Requests without a body pay nothing.
 */
function readBodyBeforeAnswering(req: IncomingMessage, res: ServerResponse): void {
  const declaresBody =
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
  if (!declaresBody) return;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = function endOnceRead(this: ServerResponse, ...args: unknown[]) {
    const answer = () => end(...args);
    if (req.complete || req.readableEnded || req.destroyed) return answer();
    let answered = false;
    const socket = req.socket;
    const once = (instead?: Refusal) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (answersAwaitingBody.get(socket) === once) answersAwaitingBody.delete(socket);
      if (instead && !res.headersSent) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        res.statusCode = instead.status;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.setHeader('Connection', 'close');
        end(errorBody(instead.code, instead.message));
        return;
      }
      answer();
    };
    const timer = setTimeout(once, UNREAD_BODY_WAIT_MS);
    timer.unref();
    // A body shorter than its Content-Length ends in a parse error on what follows it, not in 'end'; a
    // Transfer-Encoding other than chunked ends in one on the body's first bytes (node emits the request
    // before its parser refuses the framing).
    answersAwaitingBody.set(socket, once);
    req.once('end', () => once());
    req.once('close', () => once());
    req.resume();
    return this;
  } as ServerResponse['end'];
}
