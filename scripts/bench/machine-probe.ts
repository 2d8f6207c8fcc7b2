/**
 * Two short measures of the machine itself, taken before every scenario and recorded in its context: a
 * fixed piece of JavaScript, and round trips over a loopback TCP connection between two sockets of this
 * process. A figure that moves with the machine rather than the code moves with one of them: on
 * 2026-12-02 the `join` row fell to a third of its 2026-11-30 value at its own commit, and nothing in the
 * recorded context (versions, limits, load) said why.
 */
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { median } from './stats.js';

export interface MachineProbe {
  /** The kernel (`uname -r`): a virtual machine's kernel tells its kind of host. */
  kernel: string;
  /** CPU ms for a fixed piece of JavaScript (string building, JSON, a Map, arithmetic), median of 5. */
  js_ms: number;
  /** µs of wall time per 200-byte ping-pong over loopback TCP, through Node's event loop, median of 5. */
  loopback_round_trip_us: number;
  /** µs of CPU per round trip, and the share of it spent in the kernel. */
  loopback_cpu_us: number;
  loopback_system_share: number;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** What a request's JavaScript does, in miniature: parse, build, look up, count. Returns a checksum. */
function jsWork(): number {
  let check = 0;
  const seen = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const body = JSON.stringify({ clientRequestId: `req-${i}`, sections: [i, i + 1, i + 2], at: i * 31 });
    const parsed = JSON.parse(body) as { sections: number[]; clientRequestId: string };
    seen.set(parsed.clientRequestId, parsed.sections.length);
    for (const s of parsed.sections) check = (check * 31 + s) % 1_000_003;
  }
  return check + seen.size;
}

function timeJs(): number {
  const before = process.cpuUsage();
  const check = jsWork();
  const used = process.cpuUsage(before);
  // The checksum keeps the work from being optimised away.
  if (check < 0) throw new Error('unreachable');
  return (used.user + used.system) / 1_000;
}

/** `count` ping-pongs between a client and a server socket of this process; wall and CPU µs per trip. */
async function pingPong(count: number): Promise<{ wallUs: number; cpuUs: number; systemShare: number }> {
  const message = Buffer.alloc(200, 'x');
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      let left = count;
      let pending = message.length;
      client.on('error', reject);
      client.on('data', (chunk: Buffer) => {
        pending -= chunk.length;
        if (pending > 0) return;
        if (--left === 0) return resolve();
        pending = message.length;
        client.write(message);
      });
      client.write(message);
    });
    const wallUs = ((performance.now() - start) * 1_000) / count;
    const used = process.cpuUsage(cpu);
    const cpuUs = (used.user + used.system) / count;
    return {
      wallUs,
      cpuUs,
      systemShare: used.user + used.system === 0 ? 0 : used.system / (used.user + used.system),
    };
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** About a second of work; run before the scenario starts anything. */
export async function probeMachine(): Promise<MachineProbe> {
  timeJs(); // warm-up: the first run compiles
  const js = Array.from({ length: 5 }, timeJs);
  await pingPong(500);
  const trips: Awaited<ReturnType<typeof pingPong>>[] = [];
  for (let i = 0; i < 5; i++) trips.push(await pingPong(2_000));
  return {
    kernel: os.release(),
    js_ms: round(median(js), 1),
    loopback_round_trip_us: round(median(trips.map((t) => t.wallUs)), 1),
    loopback_cpu_us: round(median(trips.map((t) => t.cpuUs)), 1),
    loopback_system_share: round(median(trips.map((t) => t.systemShare)), 2),
  };
}
