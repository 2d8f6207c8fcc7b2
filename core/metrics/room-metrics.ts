import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from './registry.js';

const registers = [metricsRegistry];
const room = ['room'] as const;

const waiting = new Gauge({
  name: 'rushline_room_waiting',
  help: 'People in the room not yet let in',
  labelNames: room,
  registers,
});
const active = new Gauge({
  name: 'rushline_room_active',
  help: 'People let in whose turn is not over',
  labelNames: room,
  registers,
});
const admitted = new Counter({
  name: 'rushline_room_admitted_total',
  help: 'People let in',
  labelNames: room,
  registers,
});
const rate = new Gauge({
  name: 'rushline_room_admission_rate_per_minute',
  help: "The room's effective admission rate: its adaptive pace, or the operator's fixed rate",
  labelNames: room,
  registers,
});
const noShows = new Counter({
  name: 'rushline_room_no_shows_total',
  help: 'People let in whose admission expired unused',
  labelNames: room,
  registers,
});
const soldOut = new Gauge({
  name: 'rushline_room_sold_out',
  help: '1 when what the room guards is gone',
  labelNames: room,
  registers,
});
const backlog = new Gauge({
  name: 'rushline_commit_backlog',
  help: "The room's requests not yet committed, as admission last read it (0 while it admits nobody)",
  labelNames: room,
  registers,
});

export interface RoomSample {
  waiting: number;
  active: number;
  /** The room's totals as Redis keeps them: this process counts what they grew by while it leads. */
  admittedTotal: number;
  noShowsTotal: number;
  ratePerMin: number;
  soldOut: boolean;
  backlog: number;
}

/**
 * The room figures only the admission leader exports (ADR 016): it sets the gauges each tick and adds to
 * the counters what the room's totals in Redis grew by since its last tick. A process that stops leading
 * drops its gauges (so `max by (room)` reads the leader's) and forgets its baselines; its counters stay,
 * as counters must, and `sum by (room) (rate(...))` adds the leaders' shares up.
 */
export class RoomMetrics {
  private readonly last = new Map<number, { admitted: number; noShows: number }>();

  record(roomId: number, s: RoomSample): void {
    const label = String(roomId);
    waiting.labels(label).set(s.waiting);
    active.labels(label).set(s.active);
    rate.labels(label).set(s.ratePerMin);
    soldOut.labels(label).set(s.soldOut ? 1 : 0);
    backlog.labels(label).set(s.backlog);
    const before = this.last.get(roomId);
    // The first tick of a leader only takes the baseline, and makes the counters' series exist at 0.
    admitted.labels(label).inc(before ? Math.max(0, s.admittedTotal - before.admitted) : 0);
    noShows.labels(label).inc(before ? Math.max(0, s.noShowsTotal - before.noShows) : 0);
    this.last.set(roomId, { admitted: s.admittedTotal, noShows: s.noShowsTotal });
  }

  /** This process no longer leads the room (or the room is gone): its gauges would be stale. */
  forget(roomId: number): void {
    const label = String(roomId);
    for (const g of [waiting, active, rate, soldOut, backlog]) g.remove(label);
    this.last.delete(roomId);
  }

  forgetAll(): void {
    for (const roomId of [...this.last.keys()]) this.forget(roomId);
  }

  rooms(): number[] {
    return [...this.last.keys()];
  }
}
