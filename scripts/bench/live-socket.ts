/** A load generator's socket.io connection to the waiting room, opened as the page opens it. */
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/live-events.js';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Signed in with the user's access token, websocket only, reconnecting after half a second. */
export const openLiveSocket = (url: string, token: string): LiveSocket =>
  connect(url, {
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 500,
    timeout: 30_000,
  });

/** Resolves on the socket's first `connect`, rejects after timeoutMs. */
export function connected(socket: LiveSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
