import { Counter, Gauge } from 'prom-client';
import type { ServerToClientEvents } from '../live-events.js';
import { metricsRegistry, recording } from './registry.js';

/** What the socket gauges read at scrape time: the process's socket.io server. */
export interface SocketCensus {
  connections(): number;
  /** Watchers per room id, for the rooms this process has sockets in. */
  watchers(): Iterable<[roomId: number, count: number]>;
}

const census = new Set<SocketCensus>();

new Gauge({
  name: 'rushline_socket_connections',
  help: 'socket.io connections open on this process',
  registers: [metricsRegistry],
  collect() {
    let n = 0;
    for (const c of census) n += c.connections();
    this.set(n);
  },
});

new Gauge({
  name: 'rushline_room_watchers',
  help: "Sockets on this process following the room's live state",
  labelNames: ['room'] as const,
  registers: [metricsRegistry],
  collect() {
    // Rebuilt each scrape: a room nobody watches any more disappears instead of staying at its last value.
    this.reset();
    for (const c of census)
      for (const [roomId, count] of c.watchers()) this.labels(String(roomId)).inc(count);
  },
});

const cadences = new Set<() => number>();

new Gauge({
  name: 'rushline_live_update_seconds',
  help: "How often each watcher hears the rooms this process leads (LIVE_UPDATE_MS, stretched while the host's CPU is spent and work waits)",
  registers: [metricsRegistry],
  collect() {
    // One process has one cadence; several (tests) report the longest.
    this.set(Math.max(0, ...[...cadences].map((read) => read())));
  },
});

/** Reports the live-update interval (seconds) at each scrape; returns how to stop. */
export function reportLiveUpdate(read: () => number): () => void {
  cadences.add(read);
  return () => void cadences.delete(read);
}

/** Counts sockets at each scrape (nothing per connection or per push); returns how to stop. */
export function countSockets(c: SocketCensus): () => void {
  census.add(c);
  return () => void census.delete(c);
}

/** Every event a live push may carry (all the server's events but the connection's own hello). */
export const PUSH_EVENTS = [
  'room:tick',
  'room:phase',
  'room:message',
  'room:soldOut',
  'room:figures',
  'admitted',
  'admission:revoked',
  'request:update',
  'reservation:update',
  'notification:new',
  'seats:changed',
] as const satisfies readonly Exclude<keyof ServerToClientEvents, 'hello'>[];
export type PushEvent = (typeof PUSH_EVENTS)[number];

const pushes = new Counter({
  name: 'rushline_pushes_total',
  help: 'Live messages sent by this process, by event: a room-wide push counts once, a personal one per person',
  labelNames: ['event'] as const,
  registers: [metricsRegistry],
});
const pushCounters = new Map(PUSH_EVENTS.map((e) => [e, pushes.labels(e)] as const));

export function countPush(event: PushEvent, n = 1): void {
  if (!recording.on) return;
  pushCounters.get(event)?.inc(n);
}
