import type { Knex } from 'knex';
import { parseJson } from '../../../../core/requests/request-store.js';
import type { AuditQuery } from './audit-input.js';

export interface AuditEntryView {
  id: number;
  actor: { id: number; username: string; displayName: string } | null;
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
  requestId: number | null;
  createdAt: string;
}

interface AuditRow {
  id: number;
  actor_user_id: number | null;
  actor_username: string | null;
  actor_display_name: string | null;
  entity: string;
  entity_id: string;
  action: string;
  before: unknown;
  after: unknown;
  request_id: number | null;
  created_at: Date;
}

/** The audit log newest first (keyset on id: `before` is the last id of the previous page). */
export async function auditPage(
  db: Knex,
  query: AuditQuery,
): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
  const q = db('audit_log as a').leftJoin('users as u', 'u.id', 'a.actor_user_id');
  if (query.actor !== undefined) q.where('a.actor_user_id', query.actor);
  if (query.entity !== undefined) q.where('a.entity', query.entity);
  if (query.entityId !== undefined) q.where('a.entity_id', query.entityId);
  if (query.action !== undefined) q.where('a.action', query.action);
  if (query.from !== undefined) q.where('a.created_at', '>=', new Date(query.from));
  if (query.to !== undefined) q.where('a.created_at', '<', new Date(query.to));
  if (query.before !== undefined) q.where('a.id', '<', query.before);
  const rows = await q
    .orderBy('a.id', 'desc')
    .limit(query.limit + 1)
    .select<AuditRow[]>(
      'a.id',
      'a.actor_user_id',
      'u.username as actor_username',
      'u.display_name as actor_display_name',
      'a.entity',
      'a.entity_id',
      // BEFORE is a reserved word (the migration says so): knex quotes these identifiers.
      'a.before',
      'a.after',
      'a.action',
      'a.request_id',
      'a.created_at',
    );
  const entries = rows.slice(0, query.limit).map((r): AuditEntryView => ({
    id: r.id,
    actor:
      r.actor_user_id !== null
        ? { id: r.actor_user_id, username: r.actor_username ?? '', displayName: r.actor_display_name ?? '' }
        : null,
    entity: r.entity,
    entityId: r.entity_id,
    action: r.action,
    before: parseJson(r.before),
    after: parseJson(r.after),
    requestId: r.request_id,
    createdAt: r.created_at.toISOString(),
  }));
  const last = entries.at(-1);
  return { entries, nextBefore: rows.length > query.limit && last ? last.id : null };
}
