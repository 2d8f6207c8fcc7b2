import type { Server } from 'node:http';
import { createServer, type AddressInfo, type Server as NetServer } from 'node:net';

/**
 * Listening for a burst of new connections (ADR 029). libuv as node 26 ships it (1.52) accepts one
 * connection per turn of the event loop for each listening socket. A busy process turns its loop every
 * 10–40 ms, so one socket takes 25–100 new connections a second while thousands of admitted students
 * connect in the same second: they wait in the kernel's queue for seconds before node sees them. Here the
 * server listens on `acceptors` sockets bound to the same port (SO_REUSEPORT): the kernel spreads the
 * connections over them and each turn accepts one from each, and every socket they take is handed to the
 * one HTTP server, which serves it as its own.
 */
export interface ListenOptions {
  port: number;
  host: string;
  /** listen(2)'s queue, per socket (HTTP_LISTEN_BACKLOG). */
  backlog: number;
  /** Listening sockets (HTTP_ACCEPTORS); 1 is node's plain listen. */
  acceptors: number;
}

/** The extra sockets each server listens on, closed with it. */
const extraAcceptors = new WeakMap<Server, NetServer[]>();

/** SO_REUSEPORT spreading connections over sockets is Linux's (3.9 on); elsewhere the server keeps one. */
const acceptorsOnThisPlatform = (wanted: number): number => (process.platform === 'linux' ? wanted : 1);

/**
 * Listens on `o.acceptors` sockets of one port. With SO_REUSEPORT the kernel would also let another
 * process of this user bind the same port and take a share of the connections, so a port already in use
 * is refused first, as a plain listen refuses it (EADDRINUSE).
 */
export async function listenHttp(server: Server, o: ListenOptions): Promise<void> {
  const acceptors = acceptorsOnThisPlatform(o.acceptors);
  const reusePort = acceptors > 1;
  if (reusePort && o.port !== 0) await assertPortFree(o.port, o.host);
  await listenOn(server, { port: o.port, host: o.host, backlog: o.backlog, reusePort });
  const { port } = server.address() as AddressInfo;
  const extras: NetServer[] = [];
  extraAcceptors.set(server, extras);
  for (let i = 1; i < acceptors; i++) {
    // http.Server's own sockets have Nagle off; these are served by it, so the same.
    const extra = createServer({ noDelay: true }, (socket) => server.emit('connection', socket));
    // An accept error is the server's, as on its own socket.
    extra.on('error', (err) => server.emit('error', err));
    extras.push(extra);
    try {
      await listenOn(extra, { port, host: o.host, backlog: o.backlog, reusePort });
    } catch (err) {
      await closeAcceptors(server);
      server.close();
      throw err;
    }
  }
}

/** Closes the server: stops accepting, lets in-flight requests finish, then drops idle keep-alives. */
export async function closeServer(server: Server): Promise<void> {
  await closeAcceptors(server);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** The extra listening sockets of `server` (none for a plain listen), closed: it accepts no more on them. */
async function closeAcceptors(server: Server): Promise<void> {
  const extras = extraAcceptors.get(server) ?? [];
  extraAcceptors.delete(server);
  await Promise.all(
    extras
      .filter((extra) => extra.listening)
      .map((extra) => new Promise<void>((resolve) => extra.close(() => resolve()))),
  );
}

function listenOn(
  server: NetServer,
  o: { port: number; host: string; backlog: number; reusePort: boolean },
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A plain (exclusive) bind of the port, released at once: EADDRINUSE if anything listens there. */
async function assertPortFree(port: number, host: string): Promise<void> {
  const probe = createServer();
  await listenOn(probe, { port, host, backlog: 1, reusePort: false });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
