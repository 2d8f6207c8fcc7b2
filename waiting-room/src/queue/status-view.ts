import type { RoomStatusView } from '../../../core/live-events.js';
import { queueNumberOf, type RawStatus } from './room-queue.js';

/** Turns the room's raw Redis state into what one person sees. Pure: the same for HTTP and sockets. */
export function toStatusView(roomId: number, raw: RawStatus): RoomStatusView {
  const queueNumber = raw.ticket ? queueNumberOf(raw.ticket, raw.pre, raw.seed) : null;
  const admitted = queueNumber !== null && queueNumber <= raw.serving;
  const position = queueNumber !== null && !admitted ? queueNumber - raw.serving : null;
  const peopleAhead = position === null ? null : position - 1;
  // Until a minute of admissions has been seen, the configured rate is the best estimate there is.
  const perMin = raw.admittedPerMin > 0 ? raw.admittedPerMin : raw.ratePerMin;
  const etaSeconds =
    peopleAhead === null || raw.paused || raw.soldOut || raw.phase !== 'open' || perMin <= 0
      ? null
      : Math.ceil((peopleAhead * 60) / perMin);
  return {
    roomId,
    phase: raw.phase,
    paused: raw.paused,
    joined: raw.ticket !== null,
    queueNumber,
    servingNumber: raw.serving,
    position,
    peopleAhead,
    etaSeconds,
    admitted,
    admissionToken: admitted ? raw.token : null,
    admittedPerMin: Math.round(raw.admittedPerMin),
    waiting: Math.max(0, raw.pre + raw.post - raw.serving),
    opensAt: raw.opensAtMs === null ? null : new Date(raw.opensAtMs).toISOString(),
    message: raw.message,
    soldOut: raw.soldOut,
    serverTime: new Date(raw.nowMs).toISOString(),
  };
}
