import type { Knex } from 'knex';

export interface AuditEntry {
  actorUserId: number | null;
  entity: string;
  entityId: string | number;
  action: string;
  before?: unknown;
  after?: unknown;
  requestId?: number | null;
}

/** Appends to the audit log; pass the transaction that made the change so both commit together. */
export async function writeAudit(db: Knex, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    actor_user_id: entry.actorUserId,
    entity: entry.entity,
    entity_id: String(entry.entityId),
    action: entry.action,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    request_id: entry.requestId ?? null,
  });
}
