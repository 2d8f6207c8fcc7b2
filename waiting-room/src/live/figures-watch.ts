import { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import { figuresChannel, type RoomFiguresView } from '../../../core/live-events.js';
import type { LiveSocket } from './live-socket.js';

const roomMsg = z.object({ roomId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/**
 * `watch:figures` / `unwatch:figures` (staff only): a socket joins or leaves `figures:<roomId>`, where the
 * FiguresPublisher pushes `room:figures` about once a second; the ack carries the figures at once.
 */
export function handleFiguresWatch(
  socket: LiveSocket,
  figuresOf?: (roomId: number) => Promise<RoomFiguresView>,
): void {
  socket.on('watch:figures', (msg, ack) => {
    if (typeof ack !== 'function') return;
    if (socket.data.role !== 'staff') {
      ack({ ok: false, error: { code: 'FORBIDDEN', message: 'Only staff can watch a room’s figures' } });
      return;
    }
    const parsed = roomMsg.safeParse(msg);
    if (!parsed.success || !figuresOf) {
      ack({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: 'watch:figures needs { roomId: <positive integer> }' },
      });
      return;
    }
    const { roomId } = parsed.data;
    figuresOf(roomId)
      .then(async (figures) => {
        await socket.join(figuresChannel(roomId));
        ack({ ok: true, figures });
      })
      .catch((err: unknown) => {
        const e = err instanceof AppError ? err : undefined;
        ack({
          ok: false,
          error: { code: e?.code ?? 'INTERNAL', message: e?.message ?? 'Could not read the room; try again' },
        });
      });
  });
  socket.on('unwatch:figures', (msg) => {
    const parsed = roomMsg.safeParse(msg);
    if (parsed.success) void socket.leave(figuresChannel(parsed.data.roomId));
  });
}
