import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Redis } from '../../../core/redis.js';
import { io as connect, type Socket } from 'socket.io-client';
import { signAccessToken } from '../../../core/auth/access-token.js';
import type { ServerToClientEvents } from '../../../core/live-events.js';
import { createRedis } from '../../../core/redis.js';
import { listenOnFreePort } from '../../../test/support/listen.js';
import { testConfig } from '../../../test/support/test-config.js';
import { attachLiveServer, type LiveServer } from './socket-server.js';

type Client = Socket<ServerToClientEvents>;

describe('socket.io handshake', () => {
  const cfg = testConfig();
  let server: Server;
  let url: string;
  let io: LiveServer;
  let pub: Redis;
  let sub: Redis;
  const clients: Client[] = [];

  before(async () => {
    ({ server, url } = await listenOnFreePort((_req, res) => res.end()));
    pub = createRedis(cfg, 'blocking');
    sub = createRedis(cfg, 'blocking');
    io = attachLiveServer(server, { cfg, pub, sub });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await new Promise<void>((resolve) => void io.close(() => resolve()));
    pub.disconnect();
    sub.disconnect();
  });

  function open(auth: Record<string, unknown>): Client {
    const client: Client = connect(url, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push(client);
    return client;
  }

  function connectError(client: Client): Promise<{ message: string; data?: { code: string } }> {
    return new Promise((resolve, reject) => {
      client.once('connect', () => reject(new Error('connected although it should not')));
      client.once('connect_error', (err) => resolve(err as Error & { data?: { code: string } }));
    });
  }

  it('accepts the api access token and greets the user', async () => {
    const { token } = signAccessToken(cfg.auth, { id: 41, username: 'student00041', role: 'student' });
    const client = open({ token });
    const hello = await new Promise<{ userId: number }>((resolve) => client.once('hello', resolve));
    expect(hello.userId).to.equal(41);
  });

  it('refuses a handshake without a token', async () => {
    const err = await connectError(open({}));
    expect(err.data?.code).to.equal('UNAUTHENTICATED');
  });

  it('refuses a tampered token', async () => {
    const { token } = signAccessToken(cfg.auth, { id: 41, username: 'student00041', role: 'student' });
    const err = await connectError(open({ token: `${token.slice(0, -3)}abc` }));
    expect(err.data?.code).to.equal('TOKEN_INVALID');
  });

  it('refuses a token signed for another audience', async () => {
    const { token } = signAccessToken(
      { ...cfg.auth, audience: 'someone-else' },
      { id: 1, username: 'x', role: 'staff' },
    );
    const err = await connectError(open({ token }));
    expect(err.data?.code).to.equal('TOKEN_INVALID');
  });

  it('delivers to a user room from another process through Redis', async () => {
    const { token } = signAccessToken(cfg.auth, { id: 77, username: 'student00077', role: 'student' });
    const client = open({ token });
    await new Promise((resolve) => client.once('hello', resolve));
    // A second server instance on its own connections stands in for another waiting-room process.
    const { server: other } = await listenOnFreePort((_req, res) => res.end());
    const otherPub = createRedis(cfg, 'blocking');
    const otherSub = createRedis(cfg, 'blocking');
    const otherIo = attachLiveServer(other, { cfg, pub: otherPub, sub: otherSub });
    try {
      const received = new Promise<{ userId: number }>((resolve) => client.once('hello', resolve));
      // The adapter subscribes asynchronously; give it a moment before publishing.
      await new Promise((r) => setTimeout(r, 200));
      otherIo
        .to('user:77')
        .emit('hello', { userId: 77, username: 'student00077', serverTime: new Date().toISOString() });
      expect((await received).userId).to.equal(77);
    } finally {
      await new Promise<void>((resolve) => void otherIo.close(() => resolve()));
      otherPub.disconnect();
      otherSub.disconnect();
    }
  });
});
