/** Starts a baseline server on a free loopback port and prints the line `startProcess` waits for. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { DEFAULT_HTTP_ACCEPTORS, DEFAULT_HTTP_LISTEN_BACKLOG } from '../../core/config.js';
import { listenHttp } from '../../core/http/listen.js';

export function listenOnLoopback(app: Express): Server {
  // The same accept queue and listening sockets as Rushline's processes (HTTP_LISTEN_BACKLOG,
  // HTTP_ACCEPTORS), so a burst of connections meets both alike.
  const server = createServer(app);
  listenHttp(server, {
    port: 0,
    host: '127.0.0.1',
    backlog: Number(process.env.HTTP_LISTEN_BACKLOG ?? DEFAULT_HTTP_LISTEN_BACKLOG),
    acceptors: Number(process.env.HTTP_ACCEPTORS ?? DEFAULT_HTTP_ACCEPTORS),
  }).then(
    () => {
      const { port } = server.address() as AddressInfo;
      console.log(JSON.stringify({ port, msg: 'baseline listening' }));
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
  return server;
}
