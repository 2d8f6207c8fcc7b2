import { onBeforeUnmount, ref, shallowRef } from 'vue';
import type { RoomFiguresView } from '../../../../core/live-events';
import { ApiError } from '../../api/api-error';
import { liveSocket } from '../../live/socket';

/** How many pushes (about one a second) the admitted-per-minute trend keeps. */
export const TREND_LENGTH = 60;

/**
 * A room's figures while the page is open: `watch:figures` (again at every reconnect), then each
 * `room:figures` push; unwatched when the page goes. `error` is the ack's refusal as an ApiError.
 */
export function useLiveFigures(roomId: number) {
  const figures = shallowRef<RoomFiguresView | null>(null);
  const trend = ref<number[]>([]);
  const error = shallowRef<ApiError | null>(null);
  const connected = ref(false);
  const socket = liveSocket();

  const take = (f: RoomFiguresView) => {
    if (f.roomId !== roomId) return;
    figures.value = f;
    trend.value = [...trend.value, f.admittedPerMin].slice(-TREND_LENGTH);
  };
  const watch = () => {
    connected.value = true;
    socket.emit('watch:figures', { roomId }, (reply) => {
      if (reply.ok) {
        error.value = null;
        take(reply.figures);
      } else {
        error.value = new ApiError(reply.error.code, reply.error.message);
      }
    });
  };
  const lost = () => {
    connected.value = false;
  };
  socket.on('room:figures', take);
  socket.on('connect', watch);
  socket.on('disconnect', lost);
  if (socket.connected) watch();

  onBeforeUnmount(() => {
    socket.off('room:figures', take);
    socket.off('connect', watch);
    socket.off('disconnect', lost);
    socket.emit('unwatch:figures', { roomId });
  });
  return { figures, trend, error, connected };
}
