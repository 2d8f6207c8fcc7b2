/** Starts a baseline server on a free loopback port and prints the line `startProcess` waits for. */
import type { Server } from 'node:http';
import type { Express } from 'express';
import { DEFAULT_HTTP_LISTEN_BACKLOG } from '../../core/config.js';

export function listenOnLoopback(app: Express): Server {
  // The same accept queue as Rushline's processes (HTTP_LISTEN_BACKLOG), so a burst of connections meets
  // both alike.
  const backlog = Number(process.env.HTTP_LISTEN_BACKLOG ?? DEFAULT_HTTP_LISTEN_BACKLOG);
  const server = app.listen({ port: 0, host: '127.0.0.1', backlog }, () => {
    const address = server.address();
    console.log(
      JSON.stringify({
        port: typeof address === 'object' && address ? address.port : 0,
        msg: 'baseline listening',
      }),
    );
  });
  return server;
}
