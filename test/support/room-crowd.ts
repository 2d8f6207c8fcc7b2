import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Config } from '../../core/config.js';
import { freshKey } from './enrollment-submissions.js';
import { mapConcurrent, tokenFor } from './tokens.js';

/**
 * People going through a waiting room over HTTP, as browsers do against real processes: join, ask for
 * the status until admitted, then submit to the api with the admission token.
 */
const auth = (cfg: Pick<Config, 'auth'>, userId: number) => ({
  authorization: `Bearer ${tokenFor(cfg, userId)}`,
});

/** Everyone joins (201 each), `concurrency` at a time. */
export async function joinRoom(
  waitingRoomUrl: string,
  cfg: Pick<Config, 'auth'>,
  roomId: number,
  userIds: number[],
  concurrency = 10,
): Promise<void> {
  await mapConcurrent(userIds, concurrency, async (id) => {
    const res = await fetch(`${waitingRoomUrl}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(cfg, id) },
      body: JSON.stringify({ clientRequestId: `crowd-${roomId}-${id}` }),
    });
    expect(res.status, `join of ${id}`).to.equal(201);
  });
}

/** The admission token the room's status hands `userId` once admitted (asks every 100 ms, 30 s at most). */
export async function admissionOf(
  waitingRoomUrl: string,
  cfg: Pick<Config, 'auth'>,
  roomId: number,
  userId: number,
): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${waitingRoomUrl}/rooms/${roomId}/status`, { headers: auth(cfg, userId) });
    const token = ((await res.json()) as { admissionToken: string | null }).admissionToken;
    if (token) return token;
    await sleep(100);
  }
  throw new Error(`user ${userId} was not admitted to room ${roomId}`);
}

/** POST /api/enrollments for an admitted user (a fresh Idempotency-Key); the response as it came. */
export function submitEnrollment(
  apiUrl: string,
  cfg: Pick<Config, 'auth'>,
  userId: number,
  admissionToken: string,
  sectionIds: number[],
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${apiUrl}/api/enrollments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...auth(cfg, userId),
      'idempotency-key': freshKey(),
      'x-admission-token': admissionToken,
      ...headers,
    },
    body: JSON.stringify({ sectionIds }),
  });
}
