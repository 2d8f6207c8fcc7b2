import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../core/http/http-server.js';

/**
 * Starts a real HTTP server on a free port for socket.io tests (supertest can't hold a websocket), the
 * same server main.ts makes: node's parser refusals answered in JSON.
 */
export async function listenOnFreePort(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
