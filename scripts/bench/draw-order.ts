/**
 * Whether admission kept the draw's order (issue 12: who was drawn earlier is admitted no later), from
 * the admission tokens the room recorded: each carries its queue number (`qn`) and when it was signed
 * (`iat`, whole seconds). Read from the tokens, not from when clients heard them: delivery across
 * processes and sockets reorders by milliseconds what one tick admitted at once.
 */
import type { Redis } from '../../core/redis.js';

export interface DrawOrder {
  admitted: number;
  /** Admitted in a later second than someone drawn after them. */
  admitted_after_a_later_draw: number;
  /** The resolution of the check: a token's `iat` is whole seconds. */
  resolution_s: 1;
}

/** Queue number and signing second of one admission token (its payload, not verified: the room wrote it). */
export function tokenClaims(token: string): { qn: number; iat: number } | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      qn?: unknown;
      iat?: unknown;
    };
    return typeof claims.qn === 'number' && typeof claims.iat === 'number'
      ? { qn: claims.qn, iat: claims.iat }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Counts those admitted later than someone with a larger queue number (one pass from the back). */
export function drawOrderOf(admissions: { qn: number; iat: number }[]): DrawOrder {
  const byDraw = [...admissions].sort((a, b) => a.qn - b.qn);
  let earliestAfter = Infinity;
  let late = 0;
  for (let i = byDraw.length - 1; i >= 0; i--) {
    const { iat } = byDraw[i]!;
    if (iat > earliestAfter) late++;
    earliestAfter = Math.min(earliestAfter, iat);
  }
  return { admitted: byDraw.length, admitted_after_a_later_draw: late, resolution_s: 1 };
}

/** The check over a room's recorded tokens (`<prefix>:room:<id>:tokens`); an unreadable token counts as none. */
export async function readDrawOrder(redis: Redis, tokensKey: string): Promise<DrawOrder> {
  const tokens = Object.values(await redis.hgetall(tokensKey));
  return drawOrderOf(tokens.flatMap((t) => tokenClaims(t) ?? []));
}
