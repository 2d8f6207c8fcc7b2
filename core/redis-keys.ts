/**
 * Every Redis key Rushline writes is built here, under one prefix per deployment (or per test run).
 * Keys of one waiting room share the hash tag `{r:<roomId>}` so a room's Lua scripts stay on one
 * Redis Cluster slot. See docs/adr/002-redis-key-layout.md.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** BullMQ's own prefix: queues live under `<prefix>:bull:<queue>`. */
  readonly bullPrefix: string;
  /** Sign-in budgets (ADR 014): per account, per account from one address, per address. */
  loginLimitPrefix(kind: 'account' | 'account-address' | 'ip'): string;
  /** Request rate limits (ADR 014): `<prefix>:limit:<kind>:<user id or address>`. */
  rateLimitPrefix(kind: string): string;
  room(roomId: number | string, part: string): string;
  /** The live waiting-room processes (sorted set scored by heartbeat expiry): rooms are shared among them (ADR 024). */
  readonly admissionFleet: string;
  /** One claim per periodic task and interval (SET NX, expires on its own): the run happens once in the fleet. */
  periodicClaim(task: string, interval: number): string;
  /** Which process computes a room's live figures in a given second (SET NX, expires on its own). */
  figuresSlot(roomId: number, slot: number): string;
  /** socket.io adapter channel prefix, so two deployments on one Redis never hear each other. */
  readonly socketChannel: string;
  /** The simulated payment provider's "bank side" (charges, refunds by idempotency key). */
  readonly paymentSim: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    bullPrefix: `${prefix}:bull`,
    loginLimitPrefix: (kind) => `${prefix}:login:${kind}`,
    rateLimitPrefix: (kind) => `${prefix}:limit:${kind}`,
    room: (roomId, part) => `${prefix}:{r:${roomId}}:${part}`,
    admissionFleet: `${prefix}:admission:fleet`,
    periodicClaim: (task, interval) => `${prefix}:periodic:${task}:${interval}`,
    figuresSlot: (roomId, slot) => `${prefix}:figures:slot:${roomId}:${slot}`,
    socketChannel: `${prefix}:sio`,
    paymentSim: `${prefix}:paysim`,
  };
}
