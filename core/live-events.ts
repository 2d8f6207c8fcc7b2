/**
 * socket.io event maps shared by the servers, the worker's emitter and the clients, so a renamed
 * event or a changed payload is a type error everywhere at once.
 */
import type { RoomPhase } from './rooms/room-phase.js';

/** One person's view of a waiting room; also the body of GET /rooms/:roomId/status. */
export interface RoomStatusView {
  roomId: number;
  phase: RoomPhase;
  paused: boolean;
  /** Whether this person holds a place in the room. */
  joined: boolean;
  /** Null before the opening for those in the pre-queue: their number is drawn at the opening. */
  queueNumber: number | null;
  servingNumber: number;
  /** queueNumber − servingNumber: 1 means next. Null when not joined or not yet drawn. */
  position: number | null;
  peopleAhead: number | null;
  /** People ahead ÷ admissions per second measured over the last minute. Null when unknown. */
  etaSeconds: number | null;
  admitted: boolean;
  admissionToken: string | null;
  admittedPerMin: number;
  /** Everyone waiting behind the serving number. */
  waiting: number;
  opensAt: string | null;
  message: string;
  /** What the room guards is gone (its sale's free seats, every section of its window): nobody is admitted. */
  soldOut: boolean;
  serverTime: string;
}

/**
 * The room's state, broadcast once per admission tick to one group of the room's watchers in turn, so each
 * watcher hears it at least every LIVE_UPDATE_MS (ADR 007); each client works out its own position.
 */
export interface RoomTick {
  roomId: number;
  phase: RoomPhase;
  paused: boolean;
  servingNumber: number;
  admittedPerMin: number;
  waiting: number;
  serverTime: string;
}

import type { RequestView } from './views/request-view.js';
import type { NotificationView } from './views/notification-views.js';
import type { SeatChanges } from './views/sale-views.js';

/** A reservation of this person changed (its hold expired, it was paid, confirmed, cancelled or refunded). */
export interface ReservationUpdate {
  id: number;
  eventId: number;
  status: 'held' | 'paid' | 'confirmed' | 'cancelled' | 'expired';
  seats: string[];
  amountCents: number;
  holdExpiresAt: string;
  at: string;
}

/**
 * Room-wide, at once to every watcher (not staggered): what the room guards is gone (`soldOut`, admission
 * stops) or came back (a hold expired, a seat or a place was freed: admission resumes). Like a tick it is
 * the same for everyone; each client works out its own position from `servingNumber`.
 */
export interface RoomSoldOut {
  roomId: number;
  soldOut: boolean;
  servingNumber: number;
  waiting: number;
  at: string;
}

/** Personal: it is this person's turn; the token goes with the enrollment or reservation request. */
export interface AdmittedMessage {
  roomId: number;
  queueNumber: number;
  admissionToken: string;
  expiresAt: string;
}

/**
 * A room's figures for the staff console (`watch:figures`), pushed about once a second to `figures:<roomId>`
 * while anyone watches; computed once per room per second across the fleet (waiting-room/src/live/figures-publisher.ts).
 */
export interface RoomFiguresView {
  roomId: number;
  phase: RoomPhase;
  paused: boolean;
  waiting: number;
  admitted: number;
  active: number;
  admittedPerMin: number;
  noShows: number;
  servingNumber: number;
  /** The room's configured admission rate and maximum of people admitted at once. */
  admissionRatePerMin: number;
  /** 'fixed': admission runs at the rate; 'adaptive': at a pace that follows the pipeline, up to it (ADR 012). */
  admissionMode: 'adaptive' | 'fixed';
  /** The rate admission runs at now (people/min). */
  effectiveRatePerMin: number;
  maxActive: number;
  /** Requests of this room queued in MySQL, not yet committed or refused. */
  commitBacklog: number;
  /** Requests of this room completed in the last minute, by outcome code (or status when it has none). */
  outcomes: Record<string, number>;
  /** Submit → outcome over the requests completed in the last minute; null when none. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Committed requests per second over the last 10 s. */
  commitsPerSec: number;
  /** Admission stopped because the room's seats or sections are gone (RoomSoldOut). */
  soldOut: boolean;
  at: string;
}

export type WatchFiguresAck = (
  reply: { ok: true; figures: RoomFiguresView } | { ok: false; error: { code: string; message: string } },
) => void;

export interface ServerToClientEvents {
  /** To a room's staff watchers (`watch:figures`), about once a second. */
  'room:figures': (figures: RoomFiguresView) => void;
  /** Personal: a request of this person changed status (queued → committed | rejected | failed). */
  'request:update': (request: RequestView) => void;
  /** Personal: one of this person's reservations changed status. */
  'reservation:update': (reservation: ReservationUpdate) => void;
  /** Sent once after the handshake so a client knows who the server thinks it is. */
  hello: (msg: { userId: number; username: string; serverTime: string }) => void;
  'room:tick': (tick: RoomTick) => void;
  /** Phase or pause changes; clients in the pre-queue ask for their state again to learn their number. */
  'room:phase': (msg: { roomId: number; phase: RoomPhase; paused: boolean }) => void;
  'room:message': (msg: { roomId: number; message: string; at: string }) => void;
  'room:soldOut': (msg: RoomSoldOut) => void;
  admitted: (msg: AdmittedMessage) => void;
  /** Personal: an operator revoked this person's admission to the room. */
  'admission:revoked': (msg: { roomId: number }) => void;
  /** Personal: something happened to a request or reservation of this person (also kept, see GET /api/me/notifications). */
  'notification:new': (notification: NotificationView) => void;
  /** To an event's watchers (`watch:event`): seats held, sold or freed by one committed change. */
  'seats:changed': (changes: SeatChanges) => void;
}

/** One personal message for one person: what the batched server-side event carries. */
export type PersonalPush = {
  [E in 'admitted' | 'request:update' | 'reservation:update' | 'notification:new']: {
    userId: number;
    event: E;
    data: Parameters<ServerToClientEvents[E]>[0];
    /** The HTTP request this answers, when known (ADR 016): for following it in logs, never sent to the client. */
    reqId?: string;
  };
}['admitted' | 'request:update' | 'reservation:update' | 'notification:new'];

/**
 * Between processes, through the socket.io Redis channel: many personal messages in one publish. Each
 * waiting-room process hands each one to the sockets it holds of that person, so a batch of N outcomes
 * costs one publish and one decode per process instead of N of each (docs/adr/018).
 */
export interface ServerSideEvents {
  'personal:many': (pushes: PersonalPush[]) => void;
}

export type WatchAck = (
  reply: { ok: true; status: RoomStatusView } | { ok: false; error: { code: string; message: string } },
) => void;

export type WatchEventAck = (
  reply: { ok: true } | { ok: false; error: { code: string; message: string } },
) => void;

export interface ClientToServerEvents {
  /** Start following a room; the ack carries the current state at once (also after a reconnect). */
  watch: (msg: { roomId: number }, ack: WatchAck) => void;
  unwatch: (msg: { roomId: number }) => void;
  /**
   * Start hearing an event's `seats:changed`. Read the seat map (GET /api/events/:id/seats) after the ack:
   * a change pushed before it is already in the map (its `asOf`).
   */
  'watch:event': (msg: { eventId: number }, ack: WatchEventAck) => void;
  'unwatch:event': (msg: { eventId: number }) => void;
  /** Staff only: hear the room's `room:figures`; the ack carries the current figures at once. */
  'watch:figures': (msg: { roomId: number }, ack: WatchFiguresAck) => void;
  'unwatch:figures': (msg: { roomId: number }) => void;
}

export interface SocketData {
  userId: number;
  username: string;
  role: 'student' | 'staff';
}

export const userRoom = (userId: number) => `user:${userId}`;
export const roomChannel = (roomId: number) => `room:${roomId}`;
export const figuresChannel = (roomId: number) => `figures:${roomId}`;
export const eventChannel = (eventId: number) => `event:${eventId}`;
