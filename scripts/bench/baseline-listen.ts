/** Starts a baseline server on a free loopback port and prints the line `startProcess` waits for. */
import type { Server } from 'node:http';
import type { Express } from 'express';

export function listenOnLoopback(app: Express): Server {
  const server = app.listen(0, '127.0.0.1', () => {
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
