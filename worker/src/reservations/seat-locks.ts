import type { Knex } from 'knex';

/** A seat as the batch sees it once locked; decisions update `status`/`holder` in memory as they go. */
export interface SeatState {
  id: number;
  eventId: number;
  label: string;
  zone: string;
  priceCents: number;
  status: 'free' | 'held' | 'sold';
  holder: number | null;
  /** False once staff deactivated it: never held again, whatever its status. */
  active: boolean;
}

export interface SeatSnapshot {
  /** Chosen seats, by `<eventId>:<label in lower case>`. */
  byLabel: Map<string, SeatState>;
  /** Best-available candidates per `<eventId>:<zone in lower case>`, lowest id first. */
  pools: Map<string, SeatState[]>;
}

export const labelKey = (eventId: number, label: string) => `${eventId}:${label.trimEnd().toLowerCase()}`;
export const zoneKey = (eventId: number, zone: string) => `${eventId}:${zone.trimEnd().toLowerCase()}`;

interface SeatRow {
  id: number;
  event_id: number;
  label: string;
  zone: string;
  price_cents: number;
  status: SeatState['status'];
  holder_user_id: number | null;
  active: number;
}

const COLUMNS = [
  'id',
  'event_id',
  'label',
  'zone',
  'price_cents',
  'status',
  'holder_user_id',
  'active',
] as const;

const toState = (r: SeatRow): SeatState => ({
  id: r.id,
  eventId: r.event_id,
  label: r.label,
  zone: r.zone,
  priceCents: r.price_cents,
  status: r.status,
  holder: r.holder_user_id,
  active: Boolean(r.active),
});

/**
 * Locks the seats a batch may take. Chosen seats: every named seat, `FOR UPDATE` in id order (a seat
 * another batch is deciding is waited for, so the loser learns it is taken). Best available: for each
 * event and zone, as many free seats as the batch's requests ask for in total, lowest ids first, with
 * `SKIP LOCKED` so concurrent batches take different seats instead of queueing on the same ones. When
 * that finds too few (others hold free seats under lock right now), the rest is asked for again waiting
 * for those locks, so "not enough seats" is only said of a zone that really has none left.
 */
export async function lockBatchSeats(
  trx: Knex.Transaction,
  chosen: Map<number, Set<string>>,
  zones: Map<string, { eventId: number; zone: string; need: number }>,
): Promise<SeatSnapshot> {
  const byLabel = new Map<string, SeatState>();
  const ids: number[] = [];
  for (const [eventId, labels] of chosen) {
    ids.push(
      ...(await trx('seats')
        .where({ event_id: eventId })
        .whereIn('label', [...labels])
        .pluck<number[]>('id')),
    );
  }
  const locked = new Map<number, SeatState>();
  if (ids.length > 0) {
    const rows = await trx('seats')
      .whereIn(
        'id',
        [...new Set(ids)].sort((a, b) => a - b),
      )
      .orderBy('id')
      .forUpdate()
      .select<SeatRow[]>(...COLUMNS);
    for (const r of rows) {
      const s = toState(r);
      locked.set(s.id, s);
      byLabel.set(labelKey(s.eventId, s.label), s);
    }
  }

  const pools = new Map<string, SeatState[]>();
  for (const [key, z] of zones) {
    const pool = [...locked.values()].filter((s) => zoneKey(s.eventId, s.zone) === key);
    const free = (exclude: number[], limit: number) =>
      trx('seats')
        .where({ event_id: z.eventId, zone: z.zone, status: 'free', active: true })
        .whereNotIn('id', exclude.length > 0 ? exclude : [0])
        .orderBy('id')
        .limit(limit)
        .forUpdate();
    const taken = [...locked.keys()];
    const first = await free(taken, z.need)
      .skipLocked()
      .select<SeatRow[]>(...COLUMNS);
    const got = first.map(toState);
    if (got.length < z.need) {
      const more = await free([...taken, ...got.map((s) => s.id)], z.need - got.length).select<SeatRow[]>(
        ...COLUMNS,
      );
      got.push(...more.map(toState));
    }
    for (const s of got) locked.set(s.id, s);
    pools.set(
      key,
      [...pool, ...got].sort((a, b) => a.id - b.id),
    );
  }
  return { byLabel, pools };
}
