import { io as connect, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  RoomStatusView,
  RoomTick,
  ServerToClientEvents,
} from '../../core/live-events.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io client that records what it hears, for tests and benchmarks. */
export class LiveClient {
  readonly socket: LiveSocket;
  readonly ticks: RoomTick[] = [];
  /** When each of `ticks` arrived (Date.now()). */
  readonly tickHeardAt: number[] = [];
  readonly admitted: Parameters<ServerToClientEvents['admitted']>[0][] = [];
  readonly messages: string[] = [];
  readonly phases: string[] = [];
  readonly updates: Parameters<ServerToClientEvents['request:update']>[0][] = [];
  readonly revocations: number[] = [];

  constructor(url: string, token: string, opts: { reconnection?: boolean } = {}) {
    this.socket = connect(url, {
      auth: { token },
      transports: ['websocket'],
      reconnection: opts.reconnection ?? false,
      forceNew: true,
    });
    this.socket.on('room:tick', (t) => {
      this.ticks.push(t);
      this.tickHeardAt.push(Date.now());
    });
    this.socket.on('admitted', (a) => this.admitted.push(a));
    this.socket.on('room:message', (m) => this.messages.push(m.message));
    this.socket.on('request:update', (u) => this.updates.push(u));
    this.socket.on('admission:revoked', (r) => this.revocations.push(r.roomId));
    this.socket.on('room:phase', (p) => this.phases.push(`${p.phase}:${p.paused ? 'paused' : 'running'}`));
  }

  connected(timeoutMs = 5_000): Promise<void> {
    if (this.socket.connected) return Promise.resolve();
    return withTimeout(
      new Promise<void>((resolve, reject) => {
        this.socket.once('connect', () => resolve());
        this.socket.once('connect_error', reject);
      }),
      timeoutMs,
      'connect',
    );
  }

  async watch(roomId: number, timeoutMs = 5_000): Promise<RoomStatusView> {
    const reply = await withTimeout(this.socket.emitWithAck('watch', { roomId }), timeoutMs, 'watch ack');
    if (!reply.ok) throw new Error(`watch refused: ${reply.error.code} ${reply.error.message}`);
    return reply.status;
  }

  /** Resolves when the predicate holds on what has been heard, polling every 20 ms. */
  async until(predicate: (c: LiveClient) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.disconnect();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
