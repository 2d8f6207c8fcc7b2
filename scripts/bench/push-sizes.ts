/**
 * Which numbers of watchers the `push` scenario can hold on this machine. Its one server process holds a
 * descriptor per client socket, and every client connects from 127.0.0.1 to one port, so each needs a
 * local port of its own too: past either bound the run fails part way (at 20,000 clients under
 * `ulimit -n` 20000 the sockets failed with a TransportError). Checked before anything starts.
 */
import { readFile } from 'node:fs/promises';
import type { FileLimit } from './run-context.js';

export const PUSH_DEFAULT_SIZES = [1_000, 5_000, 20_000];

/**
 * Descriptors and ports a process needs besides the clients' sockets: Node's own, its Redis and
 * MariaDB connections, the listening socket — and room to spare, as a run that fails at the last size
 * wastes all the others.
 */
export const FD_RESERVE = 1_000;

/** The largest number of watchers that fits both the open-file limit and the local port range. */
export function maxPushClients(limit: FileLimit, localPorts: number | null): number {
  const byFiles = limit.soft === null ? Infinity : limit.soft - FD_RESERVE;
  const byPorts = localPorts === null ? Infinity : localPorts - FD_RESERVE;
  return Math.max(0, Math.min(byFiles, byPorts));
}

export type PushSizes =
  | { ok: true; sizes: number[]; /** What was changed from the defaults, and why. */ note?: string }
  | { ok: false; error: string };

/**
 * The sizes to measure, ascending and distinct (each size adds clients to those already connected). A
 * default size that does not fit becomes the largest that does, rounded down to a thousand, and the
 * note says so; a size asked for with --sizes that does not fit is an error, before anything starts.
 */
export function fitPushSizes(o: {
  requested: number[] | undefined;
  max: number;
  /** How the bound reads in a message, e.g. "`ulimit -n` 20000 (hard 20000)". */
  bound: string;
}): PushSizes {
  const asked = [...new Set(o.requested ?? PUSH_DEFAULT_SIZES)].sort((a, b) => a - b);
  const tooBig = asked.filter((n) => n > o.max);
  if (tooBig.length === 0) return { ok: true, sizes: asked };
  const fmt = (n: number) => n.toLocaleString('en');
  if (o.requested !== undefined) {
    return {
      ok: false,
      error:
        `push: --sizes ${tooBig.map(fmt).join(', ')} ${tooBig.length === 1 ? 'does' : 'do'} not fit ${o.bound}: ` +
        `the push server ` +
        `needs a descriptor and a local port per client plus ${fmt(FD_RESERVE)} spare; the largest that fits ` +
        `is ${fmt(o.max)} (raise the hard limit, e.g. LimitNOFILE or /etc/security/limits.conf)`,
    };
  }
  const largest = o.max >= 1_000 ? Math.floor(o.max / 1_000) * 1_000 : o.max;
  const sizes = [...new Set([...asked.filter((n) => n <= o.max), largest])].filter((n) => n > 0);
  if (sizes.length === 0) return { ok: false, error: `push: no clients fit ${o.bound}` };
  return {
    ok: true,
    sizes,
    note: `${tooBig.map(fmt).join(', ')} clients do not fit ${o.bound}: measuring ${fmt(largest)} instead`,
  };
}

/** How many local ports the kernel hands out for outgoing connections (Linux; null elsewhere). */
export async function localPortCount(): Promise<number | null> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const [lo, hi] = range.trim().split(/\s+/).map(Number);
  return lo === undefined || hi === undefined || !(hi >= lo) ? null : hi - lo + 1;
}
