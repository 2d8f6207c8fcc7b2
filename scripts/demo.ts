import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { loadConfig } from '../core/config.js';
import { createDb } from '../core/db.js';
import { loadEnvFile } from '../core/env-file.js';
import { addMinutes, ceilToMinutes } from './seed/dates.js';
import { DEMO_OPENS_IN_MIN, DEMO_ROOM_SLUGS, type DemoRoom } from './seed/demo-schedule.js';

const USAGE = `Usage: npm run demo [-- --open-in MINUTES]

Schedules the demo's waiting rooms again: each one that has not opened yet gets its pre-queue open now
and opens in a few minutes (registration ${DEMO_OPENS_IN_MIN.registration}, flight ${DEMO_OPENS_IN_MIN.flight}, concert ${DEMO_OPENS_IN_MIN.concert}), or all in MINUTES
(0 = now). The registration window behind the registration room moves with it. A room that has opened
already stays as it is (join it at once). The waiting rooms' leader picks the new times up within
ROOM_SYNC_MS. Prints where to go.`;

interface DemoRow {
  id: number;
  slug: string;
  name: string;
  state: string;
  opens_at: Date;
  registration_window_id: number | null;
}

export interface Rescheduled {
  room: DemoRow;
  opensAt: Date;
  /** False when the room had opened already and was left as it is. */
  moved: boolean;
}

async function reschedule(
  db: Knex,
  which: DemoRoom,
  slug: string,
  openInMin: number | undefined,
): Promise<Rescheduled | undefined> {
  const room = await db<DemoRow>('waiting_rooms')
    .where({ slug })
    .first('id', 'slug', 'name', 'state', 'opens_at', 'registration_window_id');
  if (!room) return undefined;
  if (room.state !== 'idle' && room.state !== 'prequeue')
    return { room, opensAt: room.opens_at, moved: false };
  const now = new Date();
  const minutes = openInMin ?? DEMO_OPENS_IN_MIN[which];
  // Whole minutes read better on the page's countdown; "now" means now.
  const opensAt = minutes === 0 ? now : addMinutes(ceilToMinutes(now, 1), minutes);
  await db.transaction(async (trx) => {
    await trx('waiting_rooms')
      .where({ id: room.id })
      .update({
        prequeue_opens_at: new Date(Math.min(now.getTime(), opensAt.getTime() - 1)),
        opens_at: opensAt,
      });
    if (room.registration_window_id !== null) {
      // Enrollments are refused before their window opens: it opens with its room.
      await trx('registration_windows')
        .where({ id: room.registration_window_id })
        .update({ opens_at: opensAt });
    }
  });
  return { room, opensAt, moved: true };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'open-in': { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let openIn: number | undefined;
  if (values['open-in'] !== undefined) {
    if (!/^\d{1,4}$/.test(values['open-in']))
      throw new Error(`--open-in takes whole minutes, not ${values['open-in']}`);
    openIn = Number(values['open-in']);
  }
  loadEnvFile(process.cwd());
  const cfg = loadConfig();
  const db = createDb(cfg);
  try {
    const results = await scheduleDemoRooms(db, openIn);
    if (results.length === 0) throw new Error('no demo rooms here: seed the demo first (npm run seed)');
    const base = `http://${cfg.http.publicHost}:${cfg.http.gatewayPort}`;
    for (const result of results) {
      const when = result.moved
        ? `opens ${result.opensAt.toISOString()} (pre-queue open now)`
        : `already ${result.room.state} since ${result.opensAt.toISOString()}`;
      console.log(`${result.room.name}\n  ${when}\n  ${base}/rooms/${result.room.id}/`);
    }
    console.log(`\nThe app: ${base}/`);
  } finally {
    await db.destroy();
  }
}

/** The demo's rooms (registration of the newest term, flight, concert), each scheduled again unless open. */
export async function scheduleDemoRooms(db: Knex, openIn: number | undefined): Promise<Rescheduled[]> {
  const term = await db<{ code: string }>('terms').orderBy('starts_on', 'desc').first('code');
  const slugs: [DemoRoom, string][] = [
    ['registration', term ? DEMO_ROOM_SLUGS.registration(term.code) : ''],
    ['flight', DEMO_ROOM_SLUGS.flight],
    ['concert', DEMO_ROOM_SLUGS.concert],
  ];
  const out: Rescheduled[] = [];
  for (const [which, slug] of slugs) {
    const result = await reschedule(db, which, slug, openIn);
    if (result) out.push(result);
  }
  return out;
}

// Run as a command, not when a test imports it.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
