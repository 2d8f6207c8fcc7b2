/**
 * Every Redis key Rushline writes is built here, under one prefix per deployment (or per test run).
 * Keys that one command, script or transaction touches together share a hash tag, so on a Redis Cluster
 * they sit in one slot: a room's keys and its commit queue `{r:<roomId>}`, each deployment-wide queue
 * `{q:<queue>}`, the simulated payment provider `{paysim}`. See docs/adr/002-redis-key-layout.md and
 * docs/adr/023-redis-cluster-slots.md.
 */
export interface RedisKeys {
  readonly prefix: string;
  /**
   * BullMQ's prefix for a room's commit queue, `<prefix>:{r:<roomId>}:bull`: the queue's keys (which
   * BullMQ's scripts touch together) share the room's slot, and rooms' queues spread over the shards.
   */
  commitQueuePrefix(roomId: number): string;
  /** BullMQ's prefix for a deployment-wide queue, `<prefix>:{q:<queue>}:bull`: one slot per queue. */
  queuePrefix(queue: string): string;
  /** Sign-in budgets (ADR 014): per account, per account from one address, per address. */
  loginLimitPrefix(kind: 'account' | 'account-address' | 'ip'): string;
  /** Request rate limits (ADR 014): `<prefix>:limit:<kind>:<user id or address>`. */
  rateLimitPrefix(kind: string): string;
  room(roomId: number | string, part: string): string;
  /** The live waiting-room processes (sorted set scored by heartbeat expiry): rooms are shared among them (ADR 024). */
  readonly admissionFleet: string;
  /** Each api process's intake load (hash: process id → "average:ms"), which admission paces by (ADR 012). */
  readonly admissionIntake: string;
  /** One claim per periodic task and interval (SET NX, expires on its own): the run happens once in the fleet. */
  periodicClaim(task: string, interval: number): string;
  /** Which process computes a room's live figures in a given second (SET NX, expires on its own). */
  figuresSlot(roomId: number, slot: number): string;
  /** socket.io adapter channel prefix, so two deployments on one Redis never hear each other. */
  readonly socketChannel: string;
  /**
   * The simulated payment provider's "bank side" (charges, refunds by idempotency key), all under the
   * tag `{paysim}`: its scripts touch a charge, its reference and the ledger in one call.
   */
  readonly paymentSim: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    commitQueuePrefix: (roomId) => `${prefix}:{r:${roomId}}:bull`,
    queuePrefix: (queue) => `${prefix}:{q:${queue}}:bull`,
    loginLimitPrefix: (kind) => `${prefix}:login:${kind}`,
    rateLimitPrefix: (kind) => `${prefix}:limit:${kind}`,
    room: (roomId, part) => `${prefix}:{r:${roomId}}:${part}`,
    admissionFleet: `${prefix}:admission:fleet`,
    admissionIntake: `${prefix}:admission:intake`,
    periodicClaim: (task, interval) => `${prefix}:periodic:${task}:${interval}`,
    figuresSlot: (roomId, slot) => `${prefix}:figures:slot:${roomId}:${slot}`,
    socketChannel: `${prefix}:sio`,
    paymentSim: `${prefix}:{paysim}`,
  };
}
