import { INTAKE_PUBLISH_MS, type IntakeFigures } from '../../../core/admission/intake-load.js';
import type { Logger } from '../../../core/logger.js';
import { AdmissionStageClock } from '../../../core/metrics/admission-metrics.js';
import { RoomMetrics } from '../../../core/metrics/room-metrics.js';
import type { AdmittedMessage, RoomTick } from '../../../core/live-events.js';
import type { RoomPhase } from '../../../core/rooms/room-phase.js';
import { ticketOf, type RoomQueue, type TickPlan } from '../queue/room-queue.js';
import {
  nextPace,
  startPace,
  type AdmissionMode,
  type PaceState,
  type PaceTargets,
} from './adaptive-pace.js';
import type { RecentDelivery } from '../rooms/room-outcomes.js';
import type { RoomLeases } from './room-leases.js';

export interface ControlledRoom {
  id: number;
  tokenTtlS: number;
  /** The operator's rate: the pace itself when fixed, its ceiling when adaptive (ADR 012). */
  ratePerMin: number;
  admissionMode: AdmissionMode;
}

/** Where the controller's effects go: sockets, MySQL, the token signer, the room's commit backlog. */
export interface AdmissionPorts {
  /** Rooms to drive, re-read every sync (MySQL is their durable definition). Also pushes config to Redis. */
  syncRooms(): Promise<ControlledRoom[]>;
  signToken(grant: { userId: number; roomId: number; queueNumber: number; ttlS: number }): {
    token: string;
    expiresAt: Date;
  };
  /** The room's periodic state; `seq` (the room's tick number) says which group of watchers hears it. */
  broadcastTick(tick: RoomTick, seq: number): void;
  announcePhase(roomId: number, phase: RoomPhase, paused: boolean): void;
  /** Everyone one tick let in, at once. */
  notifyAdmitted(grants: { userId: number; msg: AdmittedMessage }[]): void;
  /** Records a phase change (and the opening's seed) in MySQL. */
  persistPhase(roomId: number, phase: RoomPhase, paused: boolean, seed: number | null): Promise<void>;
  /**
   * Each room's requests not yet committed (its `queued` rows in MySQL, ADR 008: a job carries many, and
   * a request whose job was never written still counts), for many rooms at once; a room with none may be
   * absent. Above the limit admission slows, then pauses.
   */
  commitBacklogs(roomIds: readonly number[]): Promise<ReadonlyMap<number, number>>;
  /** The room's requests completed in the last windowMs: their submit → outcome p99 and their rate. */
  recentDelivery(roomId: number, windowMs: number): Promise<RecentDelivery>;
  /**
   * The busiest api process's intake load (submissions held on average and for how long,
   * core/admission/intake-load.ts); null when none published lately. Left out: the pace does not follow it.
   */
  intakeLoad?(): Promise<IntakeFigures | null>;
  /**
   * Whether what the room guards is gone (its sale's seats, every section of its window): then nobody is
   * admitted this tick (inventory.ts, which also tells the room's watchers). Left out: never sold out.
   */
  soldOut?(roomId: number, plan: TickPlan): Promise<boolean>;
  /**
   * After each pass: whether any room it ticked has work its ticks would hold up on a host out of CPU:
   * commits to make (a backlog, submissions in the api, commits in the last seconds) or an opening coming
   * (a room in its pre-queue). The live cadence stretches ticks only then (ADR 007).
   */
  workWaiting?(seen: boolean, nowMs: number): void;
  /**
   * The share of this host's CPU (or its container's quota) left idle lately; null while unknown. Left
   * out: the pace does not follow it.
   */
  hostIdleShare?(nowMs: number): number | null;
}

export interface AdmissionControllerOptions {
  tickMs: number;
  syncMs: number;
  backlogLimit: number;
  pace: PaceTargets;
}

/** A room's slow ticks are logged at most this often (the histogram counts them all). */
const SLOW_TICK_LOG_MS = 10_000;
/** The p99 and delivery rate the pace follows cover this much of the recent past, read at most once a second. */
const DELIVERY_WINDOW_MS = 5_000;
const DELIVERY_REFRESH_MS = 1_000;
/** The api's intake load is read at most this often, for all rooms (as often as the api processes publish). */
const INTAKE_REFRESH_MS = INTAKE_PUBLISH_MS;
/** A slow read of it (its Redis node failing over) must not hold up every room's tick: it says nothing. */
const INTAKE_READ_TIMEOUT_MS = 200;

/** The promise's value, or a failure once `ms` have passed. */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export interface ControllerStats {
  /** Whether this process leads at least one room. */
  leader: boolean;
  /** The live rooms of the deployment. */
  rooms: number;
  /** The rooms this process leads (ADR 024). */
  leading: number[];
  ticks: number;
  lastTickAt: string | null;
  admitted: number;
  errors: number;
}

/**
 * Lets people in at each room's rate. Runs in every waiting-room process; each room is ticked only by the
 * holder of its own lease (room-leases.ts, ADR 024), so admissions never double up, the rooms spread over
 * the processes, and a dead process's rooms move to the others within one lease. Each tick per room: plan (Redis) → find who holds the
 * next numbers → sign their tokens → commit (Redis, refused if the serving number moved) → push
 * `admitted` to each and one tick to the room's tick group whose turn it is (each watcher hears every
 * G ticks, ADR 007).
 */
export class AdmissionController {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private rooms: ControlledRoom[] = [];
  private lastSync = 0;
  private readonly lastPhase = new Map<number, string>();
  /** Only a cache (bounds the delivery query to once a second per room): a new leader reads it afresh. */
  private readonly deliveries = new Map<number, { atMs: number; delivery: RecentDelivery }>();
  private intake: { atMs: number; load: Promise<IntakeFigures | null> } | undefined;
  private readonly slowTickLoggedAt = new Map<number, number>();
  /** Whether a room of the pass in progress has work its ticks would hold up (`AdmissionPorts.workWaiting`). */
  private passSawWork = false;
  /**
   * Each room's pace step, worked out after its plan and written by its next plan (one round trip for both,
   * ADR 012). Redis holds the pace: losing this (a handover) loses at most one step.
   */
  private readonly pendingPaces = new Map<number, PaceState>();
  /** The room gauges and counters, exported only while this process leads (ADR 016). */
  private readonly roomMetrics = new RoomMetrics();
  private readonly stats: ControllerStats = {
    leader: false,
    rooms: 0,
    leading: [],
    ticks: 0,
    lastTickAt: null,
    admitted: 0,
    errors: 0,
  };

  constructor(
    private readonly queue: RoomQueue,
    private readonly leases: RoomLeases,
    private readonly ports: AdmissionPorts,
    private readonly opts: AdmissionControllerOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Finishes the tick in flight, then gives up leadership so another process takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.leases.releaseAll().catch(() => this.leases.forget());
    this.stats.leader = false;
    this.stats.leading = [];
    this.roomMetrics.forgetAll();
  }

  getStats(): ControllerStats {
    return { ...this.stats };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.loop().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async loop(): Promise<void> {
    const started = Date.now();
    try {
      await this.runOnce();
    } catch (err) {
      this.stats.errors++;
      this.logger.error({ err }, 'admission tick failed');
    }
    this.schedule(Math.max(0, this.opts.tickMs - (Date.now() - started)));
  }

  /** One pass: keep, take or let go of room leases, then tick the rooms this process leads. Public so tests can step it. */
  async runOnce(): Promise<void> {
    if (Date.now() - this.lastSync >= this.opts.syncMs) {
      // A failed sync keeps the rooms we knew: the leases must still be renewed below, or a MySQL hiccup
      // would hand every room of this process to the others.
      try {
        this.rooms = await this.ports.syncRooms();
        this.stats.rooms = this.rooms.length;
        this.lastSync = Date.now();
      } catch (err) {
        this.stats.errors++;
        this.logger.error({ err }, 'room sync failed; keeping the rooms known');
      }
    }
    const led = new Set(await this.leases.balance(this.rooms.map((r) => r.id)));
    // What was worked out for a room another process now leads is stale: its new leader paces it from Redis.
    for (const id of this.pendingPaces.keys()) if (!led.has(id)) this.pendingPaces.delete(id);
    for (const id of this.lastPhase.keys()) if (!led.has(id)) this.lastPhase.delete(id);
    for (const id of this.deliveries.keys()) if (!led.has(id)) this.deliveries.delete(id);
    for (const id of this.slowTickLoggedAt.keys()) if (!led.has(id)) this.slowTickLoggedAt.delete(id);
    for (const id of this.roomMetrics.rooms()) if (!led.has(id)) this.roomMetrics.forget(id);
    this.stats.leading = [...led];
    this.stats.leader = led.size > 0;
    this.passSawWork = false;
    // One read of every led room's backlog per pass, not one per room: idle rooms are ticked too.
    const backlogs = await this.readBacklogs([...led]);
    for (const room of this.rooms) {
      if (!led.has(room.id)) continue;
      // This pass may have outlasted the lease it renewed at its start (many rooms, a slow MySQL).
      if (!this.leases.stillHeld(room.id, this.opts.tickMs)) continue;
      try {
        await this.tickRoom(room, backlogs);
      } catch (err) {
        this.stats.errors++;
        this.logger.error({ err, roomId: room.id }, 'room tick failed');
      }
    }
    this.ports.workWaiting?.(this.passSawWork, Date.now());
    this.stats.ticks++;
    this.stats.lastTickAt = new Date().toISOString();
  }

  private async tickRoom(room: ControlledRoom, backlogs: ReadonlyMap<number, number> | null): Promise<void> {
    const clock = new AdmissionStageClock();
    const plan = await this.queue.planTick(
      room.id,
      this.pendingPaces.get(room.id),
      room.admissionMode === 'adaptive' ? startPace(room.ratePerMin, this.opts.pace) : undefined,
    );
    this.pendingPaces.delete(room.id);
    if (!plan) return;
    await this.followPhase(room.id, plan);
    clock.mark('plan');
    // Before the draw nobody's place moves, so a pre-queue's ticks only count who has come, while the
    // arrivals (joins, handshakes) and then the opening need the host.
    if (plan.phase === 'prequeue') this.passSawWork = true;
    let serving = plan.serving;
    const soldOut = (await this.ports.soldOut?.(room.id, plan)) ?? false;
    clock.mark('inventory');
    const flowing = plan.phase === 'open' && !plan.paused;
    const backlog = flowing ? await this.backlogOf(room.id, backlogs) : 0;
    if (backlog > 0) this.passSawWork = true;
    clock.mark('backlog');
    // The pace worked out now is written by the next plan, and shapes the budget that plan accrues.
    if (plan.phase === 'open') await this.followPipeline(room, plan, backlog, soldOut);
    const slots = soldOut ? 0 : this.throttled(backlog, plan.slots);
    if (slots < plan.slots) await this.queue.forfeitBudget(room.id, slots);
    clock.mark('pace');
    if (slots > 0) {
      const admitted = await this.admit(room, plan, slots);
      if (admitted > 0) serving += admitted;
    }
    clock.mark('admit');
    this.roomMetrics.record(room.id, {
      waiting: Math.max(0, plan.pre + plan.post - serving),
      active: plan.active,
      admittedTotal: plan.admittedTotal,
      noShowsTotal: plan.noShows,
      ratePerMin:
        room.admissionMode === 'adaptive' ? (plan.pace?.ratePerMin ?? room.ratePerMin) : room.ratePerMin,
      soldOut,
      backlog,
    });
    // A sold-out room admits nobody, so its ticks would say nothing new: everyone heard `room:soldOut`
    // with the serving number and their place (ADR 013), and hears it again if seats come back. Each
    // tick is a socket write per watcher, and thousands may stay to watch a sold-out room.
    if ((plan.phase === 'open' || plan.phase === 'prequeue') && !soldOut) {
      this.ports.broadcastTick(
        {
          roomId: room.id,
          phase: plan.phase,
          paused: plan.paused,
          servingNumber: serving,
          admittedPerMin: Math.round(plan.admittedPerMin),
          waiting: Math.max(0, plan.pre + plan.post - serving),
          serverTime: new Date(plan.nowMs).toISOString(),
        },
        plan.seq,
      );
    }
    clock.mark('broadcast');
    clock.record();
    this.reportSlowTick(room.id, clock);
  }

  /** The room's backlog as the pass read it (absent: none queued), or read now if the pass's read failed. */
  private async backlogOf(roomId: number, backlogs: ReadonlyMap<number, number> | null): Promise<number> {
    const read = backlogs ?? (await this.ports.commitBacklogs([roomId]));
    return read.get(roomId) ?? 0;
  }

  /** Every led room's backlog; null when the read failed (each flowing room then reads its own, as it ticks). */
  private async readBacklogs(roomIds: number[]): Promise<ReadonlyMap<number, number> | null> {
    try {
      return await this.ports.commitBacklogs(roomIds);
    } catch (err) {
      this.stats.errors++;
      this.logger.error({ err }, "reading the rooms' commit backlogs failed");
      return null;
    }
  }

  /**
   * A room's tick that outlasts the tick interval holds up every later admission of the room (and of the
   * rooms after it in the pass): logged with its stages, at most once per SLOW_TICK_LOG_MS per room.
   */
  private reportSlowTick(roomId: number, clock: AdmissionStageClock): void {
    const totalMs = clock.totalMs();
    if (totalMs <= this.opts.tickMs) return;
    const now = Date.now();
    if (now - (this.slowTickLoggedAt.get(roomId) ?? 0) < SLOW_TICK_LOG_MS) return;
    this.slowTickLoggedAt.set(roomId, now);
    this.logger.warn(
      { roomId, tickMs: Math.round(totalMs), stagesMs: clock.stagesMs() },
      'admission tick outlasted its interval',
    );
  }

  /**
   * Backpressure on the room's queued requests: past half the limit admission halves, at the limit it
   * stops until the workers catch up. The last guard, in both modes: an adaptive pace backs off long before.
   */
  private throttled(backlog: number, slots: number): number {
    if (slots === 0) return 0;
    if (backlog >= this.opts.backlogLimit) return 0;
    if (backlog >= this.opts.backlogLimit / 2) return Math.ceil(slots / 2);
    return slots;
  }

  /**
   * One AIMD step of an open room's pace (adaptive-pace.ts), from the pace its plan read, for its next plan to
   * write. A paused room, a sold-out one and one where nobody waits let nobody in: no evidence the pipeline
   * takes more, so the pace does not grow (a paused room's signals are not even read: it admits nothing).
   */
  private async followPipeline(
    room: ControlledRoom,
    plan: TickPlan,
    backlog: number,
    soldOut: boolean,
  ): Promise<void> {
    const { nowMs } = plan;
    const waiting = plan.pre + plan.post - plan.serving;
    const follows = room.admissionMode === 'adaptive' && !plan.paused;
    const { p99Ms, perMin: deliveredPerMin } = follows
      ? await this.recentDelivery(room.id, nowMs)
      : { p99Ms: null, perMin: null };
    const intake = follows ? await this.intakeLoad(nowMs) : null;
    if ((intake?.held ?? 0) > 0 || (deliveredPerMin ?? 0) > 0) this.passSawWork = true;
    const admitting = !plan.paused && !soldOut && waiting > 0;
    const hostIdleShare = follows ? (this.ports.hostIdleShare?.(nowMs) ?? null) : null;
    const { state, step } = nextPace(
      plan.pace,
      room.admissionMode,
      room.ratePerMin,
      { backlog, p99Ms, intake, deliveredPerMin, nowMs, admitting, hostIdleShare },
      this.opts.pace,
    );
    if (step === 'pinned' && plan.pace?.ratePerMin === state.ratePerMin) return;
    this.pendingPaces.set(room.id, state);
    // Slow start ending half way (its pace halved, ADR 012) is not a cut: a cut is stamped now.
    const endedSlowStart = plan.pace?.cutAtMs === null && state.cutAtMs !== null && state.cutAtMs !== nowMs;
    const logged = endedSlowStart
      ? 'admission slow start ended'
      : step === 'decrease'
        ? 'admission pace cut'
        : undefined;
    if (logged) {
      this.logger.info(
        {
          roomId: room.id,
          backlog,
          p99Ms,
          intake,
          deliveredPerMin,
          hostIdleShare,
          ratePerMin: state.ratePerMin,
          fromPerMin: plan.pace?.ratePerMin ?? null,
        },
        logged,
      );
    }
  }

  /** One read shared by every room of a pass: the api serves them all. A failed read says nothing. */
  private intakeLoad(nowMs: number): Promise<IntakeFigures | null> {
    const ports = this.ports;
    if (!ports.intakeLoad) return Promise.resolve(null);
    if (!this.intake || nowMs - this.intake.atMs >= INTAKE_REFRESH_MS) {
      this.intake = {
        atMs: nowMs,
        load: withinMs(ports.intakeLoad(), INTAKE_READ_TIMEOUT_MS).catch((err: unknown) => {
          this.logger.warn({ err }, 'could not read the api intake load');
          return null;
        }),
      };
    }
    return this.intake.load;
  }

  private async recentDelivery(roomId: number, nowMs: number): Promise<RecentDelivery> {
    const cached = this.deliveries.get(roomId);
    if (cached && nowMs - cached.atMs < DELIVERY_REFRESH_MS) return cached.delivery;
    const delivery = await this.ports.recentDelivery(roomId, DELIVERY_WINDOW_MS);
    this.deliveries.set(roomId, { atMs: nowMs, delivery });
    return delivery;
  }

  private async admit(room: ControlledRoom, plan: TickPlan, slots: number): Promise<number> {
    const numbers = Array.from({ length: slots }, (_, i) => plan.serving + 1 + i);
    const tickets = numbers.map((n) => ticketOf(n, plan.pre, plan.seed));
    const holders = await this.queue.holders(room.id, tickets);
    const grants = numbers.map((queueNumber, i) => {
      const userId = holders[i] ?? '';
      if (userId === '') return { userId, queueNumber, token: '', expiresAt: new Date(0) };
      const signed = this.ports.signToken({
        userId: Number(userId),
        roomId: room.id,
        queueNumber,
        ttlS: room.tokenTtlS,
      });
      return { userId, queueNumber, ...signed };
    });
    const expiresAtMs = plan.nowMs + room.tokenTtlS * 1000;
    const committed = await this.queue.commitTick(room.id, plan.serving, grants, expiresAtMs, plan.nowMs);
    if (!committed) return 0;
    this.ports.notifyAdmitted(
      grants.flatMap((g) =>
        g.userId === ''
          ? []
          : [
              {
                userId: Number(g.userId),
                msg: {
                  roomId: room.id,
                  queueNumber: g.queueNumber,
                  admissionToken: g.token,
                  expiresAt: g.expiresAt.toISOString(),
                },
              },
            ],
      ),
    );
    this.stats.admitted += slots;
    return slots;
  }

  private async followPhase(roomId: number, plan: TickPlan): Promise<void> {
    const key = `${plan.phase}:${plan.paused ? 1 : 0}`;
    const previous = this.lastPhase.get(roomId);
    if (previous === key) return;
    this.lastPhase.set(roomId, key);
    await this.ports.persistPhase(roomId, plan.phase, plan.paused, plan.seed);
    // Also on the first look at a room (a new room, or a new leader): a room that opened before this
    // leader's sync picked it up still needs its pre-queue told; a repeated announcement is harmless.
    this.ports.announcePhase(roomId, plan.phase, plan.paused);
  }
}
