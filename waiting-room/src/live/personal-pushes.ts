import { userRoom, type PersonalPush } from '../../../core/live-events.js';
import type { LiveServer } from './live-socket.js';
import { tickGroupChannel } from './tick-groups.js';

/**
 * Hands a batch of personal messages to the sockets this process holds (docs/adr/018). Every process
 * gets the whole batch once and delivers only to its own sockets, so nothing crosses Redis per person.
 * A person let in stops hearing the room's ticks (their position means nothing now) but stays in the
 * room channel for its news; a `watch` after their admission lapses puts them back in a tick group.
 */
export function deliverLocally(io: LiveServer, pushes: readonly PersonalPush[], tickGroups: number): void {
  for (const p of pushes) {
    const to = io.local.to(userRoom(p.userId));
    switch (p.event) {
      case 'admitted': {
        to.emit('admitted', p.data);
        const groups = Array.from({ length: tickGroups }, (_, g) => tickGroupChannel(p.data.roomId, g));
        io.local.in(userRoom(p.userId)).socketsLeave(groups);
        break;
      }
      case 'request:update':
        to.emit('request:update', p.data);
        break;
      case 'reservation:update':
        to.emit('reservation:update', p.data);
        break;
      case 'notification:new':
        to.emit('notification:new', p.data);
        break;
    }
  }
}

/** Delivers here and sends the batch to every other waiting-room process (one publish). */
export function pushPersonal(io: LiveServer, pushes: PersonalPush[], tickGroups: number): void {
  if (pushes.length === 0) return;
  deliverLocally(io, pushes, tickGroups);
  io.serverSideEmit('personal:many', pushes);
}
