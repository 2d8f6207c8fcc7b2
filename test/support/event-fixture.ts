import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import type { Config } from '../../core/config.js';
import { tokenFor } from './tokens.js';

/**
 * A sale of its own (an event, its seats and its waiting room) with unique names, so tests sharing the
 * run's database never meet. Seats are laid out in rows `A`, `B`, … of `seatsPerRow` seats: `A1`, `A2`, …,
 * drawn on the seat map at column n−1 of grid row r.
 */
export interface SaleFixture {
  eventId: number;
  roomId: number;
  tag: string;
  seats: { id: number; label: string; zone: string; priceCents: number }[];
}

const ROWS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export async function createSale(
  db: Knex,
  opts: {
    rows: number;
    seatsPerRow: number;
    /** Zone of a row (by index); one zone `main` by default. */
    zoneOf?: (row: number) => string;
    priceOf?: (row: number) => number;
    perUserLimit?: number;
    holdTtlS?: number;
    /** The room's admission rate from its first row: a later update races the waiting room's room sync. */
    ratePerMin?: number;
  },
): Promise<SaleFixture> {
  const tag = randomBytes(3).toString('hex');
  const [eventId] = await db('events').insert({
    kind: 'concert',
    title: `Test concert ${tag}`,
    venue: 'Test Arena',
    starts_at: new Date(Date.now() + 30 * 86_400_000),
    per_user_limit: opts.perUserLimit ?? 4,
    hold_ttl_s: opts.holdTtlS ?? 600,
  });
  if (eventId === undefined) throw new Error('event insert returned no id');
  const rows = [];
  for (let r = 0; r < opts.rows; r++) {
    for (let n = 1; n <= opts.seatsPerRow; n++) {
      rows.push({
        event_id: eventId,
        label: `${ROWS[r]}${n}`,
        zone: opts.zoneOf?.(r) ?? 'main',
        price_cents: opts.priceOf?.(r) ?? 5_000,
        row_label: ROWS[r],
        pos_x: n - 1,
        pos_y: r,
      });
    }
  }
  await db('seats').insert(rows);
  const now = Date.now();
  const [roomId] = await db('waiting_rooms').insert({
    slug: `sale-${tag}`,
    name: `Sale ${tag}`,
    kind: 'sale',
    event_id: eventId,
    admission_rate_per_min: opts.ratePerMin ?? 60_000,
    max_active: 100_000,
    prequeue_opens_at: new Date(now - 3_600_000),
    opens_at: new Date(now - 60_000),
  });
  if (roomId === undefined) throw new Error('room insert returned no id');
  const seats = await db('seats')
    .where({ event_id: eventId })
    .orderBy('id')
    .select<{ id: number; label: string; zone: string; priceCents: number }[]>(
      'id',
      'label',
      'zone',
      'price_cents as priceCents',
    );
  return { eventId, roomId, tag, seats };
}

/** What a client sends with a reservation request: its JWT, an admission for the sale's room, a key. */
export function reservationHeaders(
  cfg: Pick<Config, 'auth' | 'admission'>,
  userId: number,
  o: { roomId?: number; queueNumber?: number; key?: string | null; admissionTtlS?: number } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${tokenFor(cfg, userId)}`,
  };
  if (o.roomId !== undefined) {
    headers['x-admission-token'] = signAdmissionToken(cfg.admission, {
      userId,
      roomId: o.roomId,
      queueNumber: o.queueNumber ?? 1,
      ttlS: o.admissionTtlS,
    }).token;
  }
  if (o.key !== null) headers['idempotency-key'] = o.key ?? `key-${userId}-${randomBytes(4).toString('hex')}`;
  return headers;
}

/** Waits until none of the requests is `queued` any more; fails after timeoutMs. */
export async function waitForOutcomes(db: Knex, requestIds: number[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db('requests')
      .whereIn('id', requestIds)
      .andWhere('status', 'queued')
      .count<{ n: number }[]>('* as n');
    const queued = Number(row?.n);
    if (queued === 0) return;
    if (Date.now() > deadline) throw new Error(`${queued} requests still queued after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** How many of the requests ended in each status, e.g. `{ committed: 40, rejected: 60 }`. */
export async function outcomeCounts(db: Knex, requestIds: number[]): Promise<Record<string, number>> {
  const rows = await db('requests')
    .whereIn('id', requestIds)
    .groupBy('status')
    .select<{ status: string; n: number }[]>('status', db.raw('count(*) as n'));
  return Object.fromEntries(rows.map((o) => [o.status, Number(o.n)]));
}

/** Polls until fn returns a value other than undefined; fails after timeoutMs naming what it waited for. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A small deterministic PRNG (mulberry32), so a race's choices are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
