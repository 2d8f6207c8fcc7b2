/**
 * socket.io event maps shared by the servers, the worker's emitter and the clients, so a renamed
 * event or a changed payload is a type error everywhere at once.
 */
export interface ServerToClientEvents {
  /** Sent once after the handshake so a client knows who the server thinks it is. */
  hello: (msg: { userId: number; username: string; serverTime: string }) => void;
}

export type ClientToServerEvents = Record<string, never>;

export interface SocketData {
  userId: number;
  username: string;
  role: 'student' | 'staff';
}

export const userRoom = (userId: number) => `user:${userId}`;
