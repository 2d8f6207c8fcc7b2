/** The `seats` sale's world: the event's zones and seats, its room, and what each user will do (their plans). */
import type { Knex } from 'knex';
import { insertInChunks } from '../seed/bulk-insert.js';
import { createRandom, type Random } from '../seed/random.js';

export const PER_USER_LIMIT = 4;
const SEATS_PER_ROW = 25;
export const ZONES = [
  { name: 'floor', code: 'F', share: 0.2, priceCents: 15_000, demand: 0.35 },
  { name: 'lower', code: 'L', share: 0.3, priceCents: 9_000, demand: 0.3 },
  { name: 'upper', code: 'U', share: 0.3, priceCents: 6_000, demand: 0.2 },
  { name: 'balcony', code: 'B', share: 0.2, priceCents: 3_500, demand: 0.15 },
] as const;
/** What a user does with each hold it gets, and how often. */
const ACTIONS = [
  ['pay', 0.47],
  /** Pays, then cancels: the payment is refunded. */
  ['pay-then-cancel', 0.03],
  ['decline', 0.1],
  ['decline-then-pay', 0.05],
  ['cancel', 0.12],
  ['none', 0.2],
  ['late', 0.03],
] as const;
export type Want = { zone: string; count: number } | { seatLabels: string[] };
export type HoldAction = (typeof ACTIONS)[number][0];

export interface UserPlan {
  userId: number;
  queueNumber: number;
  /** When the user arrives, ms after the start. */
  atMs: number;
  first: Want;
  /** Asked after SEATS_TAKEN or NOT_ENOUGH_SEATS. */
  retry: Want | null;
  /** Asked while holding seats (a second tab): refused, RESERVATION_ALREADY_LIVE (ADR 015). */
  extra: Want | null;
  /** One per hold, in the order the holds came. */
  actions: HoldAction[];
  /** Pause before acting on a hold. */
  thinkMs: number;
}

interface Row {
  zone: string;
  labels: string[];
}

export interface World {
  eventId: number;
  roomId: number;
  plans: UserPlan[];
}

/** Seats in rows of 25 per zone, labelled `<zone code><row>-<n>` (`F01-7`); the first rows cost more. */
function layout(seats: number): { rows: Row[]; popular: Row[]; priceOf: Map<string, number> } {
  const rows: Row[] = [];
  const popular: Row[] = [];
  const priceOf = new Map<string, number>();
  let left = seats;
  ZONES.forEach((z, zi) => {
    const n = zi === ZONES.length - 1 ? left : Math.round(seats * z.share);
    left -= n;
    for (let r = 0; r * SEATS_PER_ROW < n; r++) {
      const row: Row = { zone: z.name, labels: [] };
      for (let k = 1; k <= Math.min(SEATS_PER_ROW, n - r * SEATS_PER_ROW); k++) {
        const label = `${z.code}${String(r + 1).padStart(2, '0')}-${k}`;
        row.labels.push(label);
        priceOf.set(label, z.priceCents - Math.min(r, 10) * 200);
      }
      rows.push(row);
      // The popular rows: the first three of the floor and the first two of the lower tier.
      if ((z.name === 'floor' && r < 3) || (z.name === 'lower' && r < 2)) popular.push(row);
    }
  });
  return { rows, popular, priceOf };
}

/**
 * One user's plan: half ask for 2–4 neighbouring seats, three in four of them in the popular rows (so
 * many collide), the others for 1–4 best-available seats in a zone; some try again when they lose,
 * some ask for more while holding; then one action per hold.
 */
function planUser(
  rnd: Random,
  rows: { pairs: Row[]; hot: Row[] },
  userId: number,
  i: number,
  arrivalPerS: number,
): UserPlan {
  const pickZone = (except?: string) =>
    rnd.weighted(ZONES.filter((z) => z.name !== except).map((z) => [z.name, z.demand] as const));
  let first: Want;
  let retry: Want | null;
  const { pairs, hot } = rows;
  if (pairs.length > 0 && rnd.chance(0.5)) {
    const row = hot.length > 0 && rnd.chance(0.75) ? rnd.pick(hot) : rnd.pick(pairs);
    const count = rnd.int(2, Math.min(4, row.labels.length));
    const start = rnd.int(0, row.labels.length - count);
    first = { seatLabels: row.labels.slice(start, start + count) };
    // Lost the race for those seats: any seats in the same zone will do.
    retry = rnd.chance(0.6) ? { zone: row.zone, count } : null;
  } else {
    const zone = pickZone();
    const count = rnd.int(1, PER_USER_LIMIT);
    first = { zone, count };
    // The zone is sold out: another one.
    retry = rnd.chance(0.4) ? { zone: pickZone(zone), count } : null;
  }
  const extra = rnd.chance(0.08) ? { zone: pickZone(), count: rnd.int(1, 3) } : null;
  return {
    userId,
    queueNumber: i + 1,
    atMs: Math.round((i * 1000) / arrivalPerS),
    first,
    retry,
    extra,
    actions: [0, 1, 2].map(() => rnd.weighted(ACTIONS)),
    thinkMs: rnd.int(300, 4_000),
  };
}

/** The event, its seats, its sale room (open, admitting freely: tokens are signed directly) and the users. */
export async function buildWorld(
  db: Knex,
  o: { users: number; seats: number; holdTtlS: number; arrivalPerS: number },
): Promise<World> {
  const now = Date.now();
  const [eventId] = await db('events').insert({
    kind: 'concert',
    title: 'Seats bench concert',
    venue: 'Bench Arena',
    starts_at: new Date(now + 30 * 86_400_000),
    per_user_limit: PER_USER_LIMIT,
    hold_ttl_s: o.holdTtlS,
  });
  if (eventId === undefined) throw new Error('event insert returned no id');
  const { rows, popular, priceOf } = layout(o.seats);
  await insertInChunks(
    db,
    'seats',
    rows.flatMap((r) =>
      r.labels.map((label) => ({
        event_id: eventId,
        label,
        zone: r.zone,
        price_cents: priceOf.get(label),
      })),
    ),
  );
  const [roomId] = await db('waiting_rooms').insert({
    slug: 'seats-sale',
    name: 'Seats bench sale',
    kind: 'sale',
    event_id: eventId,
    admission_rate_per_min: 60_000,
    max_active: o.users,
    prequeue_opens_at: new Date(now - 3_600_000),
    opens_at: new Date(now - 60_000),
  });
  if (roomId === undefined) throw new Error('room insert returned no id');
  await insertInChunks(
    db,
    'users',
    Array.from({ length: o.users }, (_, i) => ({
      username: `seats${i}`,
      password_hash: 'x',
      role: 'student',
      display_name: `Fan ${i}`,
      grade: 1,
    })),
  );
  const userIds = await db('users').where('username', 'like', 'seats%').orderBy('id').pluck<number[]>('id');
  const rnd = createRandom(20_261_122);
  const choosable = {
    pairs: rows.filter((r) => r.labels.length >= 2),
    hot: popular.filter((r) => r.labels.length >= 2),
  };
  const plans = userIds.map((id, i) => planUser(rnd, choosable, id, i, o.arrivalPerS));
  return { eventId, roomId, plans };
}
