import { roomChannel } from '../../../core/live-events.js';
import type { SocketCensus } from '../../../core/metrics/live-metrics.js';
import type { LiveServer } from './socket-server.js';

const ROOM_CHANNEL = new RegExp(`^${roomChannel(0).replace(/0$/, '')}(\\d+)$`);

/**
 * This process's sockets as the socket gauges read them at each scrape: its open connections, and per
 * room how many of its sockets follow the room (joined to the room's channel). Nothing runs per
 * connection or per message; a scrape walks the process's socket.io rooms once.
 */
export function socketCensus(io: LiveServer): SocketCensus {
  return {
    connections: () => io.engine.clientsCount,
    *watchers() {
      for (const [name, sockets] of io.of('/').adapter.rooms) {
        const m = ROOM_CHANNEL.exec(name);
        if (m) yield [Number(m[1]), sockets.size];
      }
    },
  };
}
