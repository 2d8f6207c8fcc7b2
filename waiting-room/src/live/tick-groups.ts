import { roomChannel } from '../../../core/live-events.js';
import type { LiveSocket } from './live-socket.js';

/**
 * Staggered room ticks (docs/adr/007-staggered-room-ticks.md). A room's watchers are split into G
 * groups; each admission tick's `room:tick` goes to one group, the groups taking turns, so each watcher
 * hears the room every G ticks (at most every LIVE_UPDATE_MS) and no tick pays a socket write for every
 * watcher. Room-wide news (phase, messages) still goes to the room channel, which every watcher joins too.
 */
export function tickGroupCount(admission: { tickMs: number; liveUpdateMs: number }): number {
  return Math.max(1, Math.floor(admission.liveUpdateMs / admission.tickMs));
}

export const tickGroupChannel = (roomId: number, group: number) => `${roomChannel(roomId)}:tick:${group}`;

/** The group a tick of the given sequence number goes to: every group once per G consecutive ticks. */
export const tickGroupOf = (seq: number, groups: number) => ((seq % groups) + groups) % groups;

/**
 * Puts a socket that watches a room into the room channel and one tick group: the group with the
 * fewest of this process's sockets, so groups stay balanced as watchers come and go (each process
 * balances its own sockets; nothing is shared). A socket already in a group of the room keeps it, so
 * watching again (a reconnect that recovered its rooms) neither moves it nor puts it in two groups.
 */
export function joinRoomAndTickGroup(
  socket: LiveSocket,
  roomId: number,
  groups: number,
): Promise<void> | void {
  const channels = Array.from({ length: groups }, (_, g) => tickGroupChannel(roomId, g));
  const local = socket.nsp.adapter.rooms;
  let chosen = channels.find((c) => socket.rooms.has(c));
  if (chosen === undefined) {
    let fewest = Infinity;
    for (const c of channels) {
      const size = local.get(c)?.size ?? 0;
      if (size < fewest) [chosen, fewest] = [c, size];
    }
  }
  return socket.join([roomChannel(roomId), chosen ?? tickGroupChannel(roomId, 0)]);
}

/** Leaves the room channel and whichever tick group of the room the socket is in. */
export function leaveRoomAndTickGroup(socket: LiveSocket, roomId: number): void {
  const prefix = `${roomChannel(roomId)}:tick:`;
  for (const r of [...socket.rooms]) {
    if (r === roomChannel(roomId) || r.startsWith(prefix)) void socket.leave(r);
  }
}

/** The room channel only (someone let in: its news, not its ticks), out of any of its tick groups. */
export function joinRoomWithoutTicks(socket: LiveSocket, roomId: number): Promise<void> | void {
  const prefix = `${roomChannel(roomId)}:tick:`;
  for (const r of [...socket.rooms]) if (r.startsWith(prefix)) void socket.leave(r);
  return socket.join(roomChannel(roomId));
}
