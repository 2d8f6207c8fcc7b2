import type { Server, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  ServerSideEvents,
  ServerToClientEvents,
  SocketData,
} from '../../../core/live-events.js';

/**
 * One person's socket and the server, typed by the shared event maps. Their own module so the watch
 * handlers (event-watch, figures-watch, tick-groups, personal-pushes) and socket-server, which wires
 * them, don't import each other.
 */
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;

export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
