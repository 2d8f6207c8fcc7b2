import type { Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../../../core/live-events.js';

/**
 * One person's socket, typed by the shared event maps. Its own module so the watch handlers
 * (event-watch, figures-watch, tick-groups) and socket-server, which wires them, don't import each other.
 */
export type LiveSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
