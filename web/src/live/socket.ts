import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../core/live-events';
import { refreshSession } from '../api/http';
import { loadSession } from '../auth/session-storage';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

/**
 * One socket.io connection per tab, to the waiting room's socket server on the same origin. It carries
 * the person's pushes (request outcomes, reservations, notifications) and whatever rooms or seat maps a
 * page watches. The access token is read at every (re)connect, so a refreshed token is used at once.
 */
export function liveSocket(): LiveSocket {
  if (socket) return socket;
  const s: LiveSocket = io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => cb({ token: loadSession()?.accessToken ?? '' }),
  });
  s.on('connect_error', (err) => {
    const code = (err as Error & { data?: { code?: string } }).data?.code;
    if (code === 'TOKEN_EXPIRED') {
      refreshSession()
        .then(() => s.connect())
        .catch(() => undefined);
    }
  });
  socket = s;
  return s;
}

/** Closes the connection (at sign-out): the next liveSocket() connects as whoever is signed in then. */
export function closeLiveSocket(): void {
  socket?.disconnect();
  socket = undefined;
}
