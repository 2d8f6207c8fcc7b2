import { expect } from 'chai';
import { Agent, createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { closeServer, listenHttp } from './listen.js';

const host = '127.0.0.1';
const portOf = (server: Server) => (server.address() as AddressInfo).port;

/**
 * Keeps the event loop busy as a loaded process's is (each turn spends `busyMs`), numbering its turns:
 * a connection's turn is the one in whose poll phase node accepted it.
 */
function busyLoop(busyMs: number) {
  let turn = 0;
  let running = true;
  const spin = () => {
    for (const until = performance.now() + busyMs; performance.now() < until;);
    turn++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  return {
    turn: () => turn,
    stop: () => {
      running = false;
    },
  };
}

/** Opens `n` connections at once (the kernel completes them all) and resolves with each one's accept turn. */
async function burst(server: Server, n: number): Promise<number[]> {
  const loop = busyLoop(2);
  const turns: number[] = [];
  const onConnection = () => turns.push(loop.turn());
  server.on('connection', onConnection);
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < n; i++) sockets.push(connect(portOf(server), host));
    for (const until = Date.now() + 30_000; turns.length < n && Date.now() < until;)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return turns;
  } finally {
    loop.stop();
    server.off('connection', onConnection);
    for (const s of sockets) s.destroy();
  }
}

const mostInOneTurn = (turns: number[]) => {
  const perTurn = new Map<number, number>();
  for (const t of turns) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
  return Math.max(...perTurn.values());
};

/** One GET; without an agent, on a connection of its own. */
function get(port: number, path: string, agent: Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host, port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('listenHttp: a burst of connections (ADR 029)', function () {
  this.timeout(60_000);
  const servers: Server[] = [];
  const serve = () => {
    const server = createServer((req, res) => res.end(`hello ${req.url}`));
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(
      servers
        .splice(0)
        .filter((s) => s.listening)
        .map((s) => closeServer(s)),
    );
  });

  it('with one socket, a busy loop accepts one connection per turn (why there are several)', async () => {
    const server = serve();
    await listenHttp(server, { port: 0, host, backlog: 4096, acceptors: 1 });
    const turns = await burst(server, 60);
    expect(turns).to.have.length(60);
    expect(mostInOneTurn(turns)).to.equal(1);
  });

  it('with eight sockets, a busy loop accepts several per turn, and serves every connection', async () => {
    const server = serve();
    await listenHttp(server, { port: 0, host, backlog: 4096, acceptors: 8 });
    const turns = await burst(server, 200);
    expect(turns).to.have.length(200);
    expect(mostInOneTurn(turns)).to.be.within(2, 8);
    expect(new Set(turns).size).to.be.below(150);

    // Each socket's connections are the HTTP server's own: answered, and kept alive between requests.
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => get(portOf(server), `/r${i}`, agent)),
    );
    expect(answers).to.deep.equal(Array.from({ length: 200 }, (_, i) => `hello /r${i}`));
    agent.destroy();
  });

  it('refuses a port another server listens on, as a plain listen does', async () => {
    const first = serve();
    await listenHttp(first, { port: 0, host, backlog: 511, acceptors: 1 });
    for (const acceptors of [1, 8]) {
      const second = serve();
      const failed = await listenHttp(second, { port: portOf(first), host, backlog: 511, acceptors }).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(failed, `${acceptors} acceptors`).to.equal('EADDRINUSE');
      expect(second.listening).to.equal(false);
    }
  });

  it('frees the port on close: every socket stops listening', async () => {
    const server = serve();
    await listenHttp(server, { port: 0, host, backlog: 511, acceptors: 8 });
    const port = portOf(server);
    expect(await get(port, '/x')).to.equal('hello /x');
    await closeServer(server);
    // A plain bind succeeds only when no socket of any kind is left on the port.
    const after = serve();
    await listenHttp(after, { port, host, backlog: 511, acceptors: 1 });
    expect(await get(port, '/y')).to.equal('hello /y');
  });
});
