import type { RoomSoldOut } from '../../../core/live-events.js';
import { TtlCache } from '../../../core/ttl-cache.js';
import type { RoomQueue, TickPlan } from '../queue/room-queue.js';

/** How often MySQL is asked about one room's inventory: admitting up to a second past the last seat is fine. */
export const INVENTORY_CHECK_MS = 1_000;

export interface InventoryGateDeps {
  /** True while the room has seats or sections left, false once gone, null when it guards none (never sold out). */
  inventoryLeft(roomId: number): Promise<boolean | null>;
  /** The room's sold-out flag in its Redis state, which every process's status and figures read. */
  flag: Pick<RoomQueue, 'soldOut' | 'setSoldOut'>;
  /** Tells every watcher of the room at once (room-wide, not staggered). */
  announce(msg: RoomSoldOut): void;
  checkEveryMs?: number;
}

/**
 * Admission follows inventory: the admission leader asks before admitting in a tick, and admits nobody
 * while the room's sale has no free seat (or every section its window guards is full). On each change
 * (and only then) the flag in Redis is written and the room's watchers hear `room:soldOut` at once, with
 * the serving number each of them works out their position from. Inventory that comes back (a hold
 * expires, a seat or a place is freed, staff add capacity) resumes admission the same way: the queue
 * carries on in its order, nobody lost their place.
 *
 * Only the leader calls it. What it keeps in memory (the last check per room, the flag it last wrote) is
 * a cache of MySQL and Redis: a new leader starts from the flag in Redis, so a handover neither repeats
 * nor loses an announcement.
 */
export class InventoryGate {
  private readonly checked: TtlCache<number, boolean>;
  private readonly written = new Map<number, boolean>();

  constructor(private readonly deps: InventoryGateDeps) {
    this.checked = new TtlCache(deps.checkEveryMs ?? INVENTORY_CHECK_MS);
  }

  /** Whether the room is sold out now; announces a change. Only rooms taking places are checked. */
  async soldOut(roomId: number, plan: TickPlan): Promise<boolean> {
    if (plan.phase !== 'open' && plan.phase !== 'prequeue') return false;
    const soldOut = await this.checked.getOrLoad(
      roomId,
      async () => (await this.deps.inventoryLeft(roomId)) === false,
    );
    const before = this.written.get(roomId) ?? (await this.deps.flag.soldOut(roomId));
    if (soldOut !== before) {
      await this.deps.flag.setSoldOut(roomId, soldOut);
      this.deps.announce({
        roomId,
        soldOut,
        servingNumber: plan.serving,
        waiting: Math.max(0, plan.pre + plan.post - plan.serving),
        at: new Date(plan.nowMs).toISOString(),
      });
    }
    this.written.set(roomId, soldOut);
    return soldOut;
  }
}
