import { WebSocket, type RawData } from 'ws';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/live-events.js';

/**
 * The load generators' connection to the waiting room (rush, seats): the socket.io protocol (v5 over
 * engine.io v4) on one websocket, as the page speaks it, without socket.io-client's machinery per message.
 * An event nobody here listens to (a room's tick to a student waiting for `admitted`) is counted by its
 * name and never parsed. At 20,000 watchers each hears a tick a second, and socket.io-client in the two
 * load-generator processes took 0.4–0.7 of this machine's 2 cores doing so: CPU the measured processes
 * did not get (ADR 026).
 *
 * What it keeps of socket.io-client: auth at the namespace's CONNECT, pings answered, acks with a timeout,
 * emits buffered while disconnected, reconnection after a fixed delay with `connect` emitted again. What it
 * leaves out: connection-state recovery (after a reconnect the caller watches again, as a reloaded page
 * does), polling, binary packets, namespaces other than `/`.
 */
type Reserved = {
  connect: () => void;
  disconnect: (reason: string) => void;
  connect_error: (err: Error) => void;
};
type Events = ServerToClientEvents & Reserved;
type AckEvent = {
  [E in keyof ClientToServerEvents]: Parameters<ClientToServerEvents[E]>[1] extends undefined ? never : E;
}[keyof ClientToServerEvents];
type AckReply<E extends AckEvent> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];
type Handler = (...args: unknown[]) => void;

interface PendingAck {
  resolve: (reply: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** engine.io packet types (the first character of a frame) and socket.io's (the second, in a message). */
const EIO_OPEN = '0';
const EIO_CLOSE = '1';
const EIO_PING = '2';
const EIO_MESSAGE = '4';
const SIO_CONNECT = '0';
const SIO_DISCONNECT = '1';
const SIO_EVENT = '2';
const SIO_ACK = '3';
const SIO_CONNECT_ERROR = '4';

export class LeanSocket {
  connected = false;
  /** Events heard that nobody listened to, by name: counted, not parsed. */
  readonly ignored = new Map<string, number>();
  private ws: WebSocket | undefined;
  private readonly handlers = new Map<string, Handler[]>();
  private readonly acks = new Map<number, PendingAck>();
  private readonly sendBuffer: string[] = [];
  private nextAckId = 0;
  /** The server runs connection-state recovery: each broadcast event carries its offset as a last string. */
  private offsets = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly reconnectDelayMs = 500,
  ) {
    this.open();
  }

  on<E extends keyof Events>(event: E, fn: Events[E]): this {
    const list = this.handlers.get(event) ?? [];
    list.push(fn as Handler);
    this.handlers.set(event, list);
    return this;
  }

  once<E extends keyof Events>(event: E, fn: Events[E]): this {
    const wrapped: Handler = (...args) => {
      this.off(event, wrapped);
      (fn as Handler)(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: keyof Events, fn: Handler): this {
    const list = this.handlers.get(event);
    if (list)
      this.handlers.set(
        event,
        list.filter((h) => h !== fn),
      );
    return this;
  }

  emit<E extends keyof ClientToServerEvents>(event: E, msg: Parameters<ClientToServerEvents[E]>[0]): void {
    this.send(`${EIO_MESSAGE}${SIO_EVENT}${JSON.stringify([event, msg])}`);
  }

  /** Emits with an ack id; resolves with the server's reply, rejects after timeoutMs or on `disconnect()`. */
  emitWithAck<E extends AckEvent>(
    event: E,
    msg: Parameters<ClientToServerEvents[E]>[0],
    timeoutMs: number,
  ): Promise<AckReply<E>> {
    const id = this.nextAckId++;
    return new Promise<AckReply<E>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no ack to ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, { resolve: resolve as (reply: unknown) => void, reject, timer });
      this.send(`${EIO_MESSAGE}${SIO_EVENT}${id}${JSON.stringify([event, msg])}`);
    });
  }

  /** Closes for good: no reconnection, pending acks rejected, `disconnect` with socket.io-client's reason. */
  disconnect(): void {
    this.stop('io client disconnect');
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retry);
    for (const [id, ack] of this.acks) {
      clearTimeout(ack.timer);
      ack.reject(new Error('disconnected'));
      this.acks.delete(id);
    }
    const ws = this.ws;
    this.ws = undefined;
    ws?.removeAllListeners();
    ws?.on('error', () => undefined);
    ws?.terminate();
    this.lost(reason);
  }

  private open(): void {
    const url = new URL('/socket.io/', this.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = 'EIO=4&transport=websocket';
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onFrame(data);
    });
    ws.on('close', () => this.onClose(ws));
    // A failed connect closes too: the retry is scheduled there.
    ws.on('error', () => undefined);
  }

  private onClose(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.lost('transport close');
    if (!this.stopped) this.retry = setTimeout(() => this.open(), this.reconnectDelayMs);
  }

  private lost(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.dispatch('disconnect', [reason]);
  }

  private send(frame: string): void {
    if (this.connected && this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
    else this.sendBuffer.push(frame);
  }

  private onFrame(data: RawData): void {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const kind = String.fromCharCode(buf[0] ?? 0);
    if (kind === EIO_PING) {
      this.ws?.send('3');
      return;
    }
    if (kind === EIO_OPEN) {
      this.ws?.send(`${EIO_MESSAGE}${SIO_CONNECT}${JSON.stringify({ token: this.token })}`);
      return;
    }
    if (kind === EIO_CLOSE) {
      this.ws?.close();
      return;
    }
    if (kind !== EIO_MESSAGE) return;
    const type = String.fromCharCode(buf[1] ?? 0);
    if (type === SIO_EVENT) this.onEvent(buf);
    else if (type === SIO_ACK) this.onAck(buf.toString('utf8', 2));
    else if (type === SIO_CONNECT) this.onConnect(buf.toString('utf8', 2));
    else if (type === SIO_CONNECT_ERROR) this.onConnectError(buf.toString('utf8', 2));
    else if (type === SIO_DISCONNECT) this.stop('io server disconnect');
  }

  /** `42["name",…]`: the name is read from the frame's head; only a listened-to event is parsed. */
  private onEvent(buf: Buffer): void {
    const open = buf.indexOf('["', 2);
    const close = open < 0 ? -1 : buf.indexOf('"', open + 2);
    if (close < 0) return;
    const name = buf.toString('latin1', open + 2, close);
    const list = this.handlers.get(name);
    if (!list || list.length === 0) {
      this.ignored.set(name, (this.ignored.get(name) ?? 0) + 1);
      return;
    }
    const packet = JSON.parse(buf.toString('utf8', open)) as unknown[];
    const args = packet.slice(1);
    if (this.offsets && typeof args[args.length - 1] === 'string') args.pop();
    this.dispatch(name, args);
  }

  /** `43<id>[reply]`. */
  private onAck(body: string): void {
    const bracket = body.indexOf('[');
    const id = Number(body.slice(0, bracket));
    const ack = this.acks.get(id);
    if (!ack) return;
    this.acks.delete(id);
    clearTimeout(ack.timer);
    ack.resolve((JSON.parse(body.slice(bracket)) as unknown[])[0]);
  }

  private onConnect(body: string): void {
    this.offsets = typeof (JSON.parse(body) as { pid?: unknown }).pid === 'string';
    this.connected = true;
    for (const frame of this.sendBuffer.splice(0)) this.ws?.send(frame);
    this.dispatch('connect', []);
  }

  /** The server's middleware refused the handshake (socket.io-client does not retry this either). */
  private onConnectError(body: string): void {
    const { message, data } = JSON.parse(body) as { message?: string; data?: unknown };
    this.stop('connect refused');
    this.dispatch('connect_error', [Object.assign(new Error(message ?? 'connect refused'), { data })]);
  }

  private dispatch(event: string, args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) h(...args);
  }
}

/** Resolves on the socket's first `connect`, rejects on a refused handshake or after timeoutMs. */
export function connected(socket: LeanSocket, timeoutMs: number): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
